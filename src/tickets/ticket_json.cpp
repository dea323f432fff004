#include "tickets/ticket_json.h"

#include <string_view>

#include "util/json_values.h"
#include "util/time.h"

namespace chatbot::tickets {

namespace {

using nlohmann::json;

json deliveryJson(const store::Delivery& d) {
  const bool pending = d.state == store::DeliveryState::kPending;
  const bool delivered = d.state == store::DeliveryState::kDelivered;
  return {{"state", store::toString(d.state)},
          {"attempts", d.attempts},
          {"last_error", util::nullIfEmpty(d.last_error)},
          {"next_attempt_at",
           pending ? json(util::isoTimestampFromEpochMs(d.next_attempt_ms)) : json(nullptr)},
          {"delivered_at",
           delivered ? json(util::isoTimestampFromEpochMs(d.delivered_ms)) : json(nullptr)}};
}

// The note a "ticket.note_added" event announces, as the ticket holds it at send time.
json announcedNote(std::int64_t note_id, const store::Ticket& ticket) {
  if (!ticket.notes) return nullptr;
  for (const auto& note : *ticket.notes) {
    if (note.id == note_id) return ticketNoteJson(note);
  }
  return nullptr;
}

}  // namespace

std::string displayId(std::int64_t id) {
  return "IT-" + std::to_string(id);
}

std::optional<std::int64_t> parseDisplayId(std::string_view text) {
  const bool prefixed = text.size() > 3 && (text[0] == 'I' || text[0] == 'i') &&
                        (text[1] == 'T' || text[1] == 't') && text[2] == '-';
  if (prefixed) text.remove_prefix(3);
  if (text.empty() || text.size() > 15) return std::nullopt;
  std::int64_t n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return std::nullopt;
  return n;
}

json citedSourcesJson(const std::vector<store::CitedSource>& sources, SourcesStyle style) {
  json out = json::array();
  std::size_t n = 0;
  for (const auto& s : sources) {
    json item = json::object();
    if (style != SourcesStyle::kArticlesTried) item["n"] = ++n;
    item["article_id"] = s.article_id;
    item["subject"] = s.subject;
    item["category"] = util::nullIfEmpty(s.category);
    item["url"] = util::nullIfEmpty(s.url);
    if (style == SourcesStyle::kChatReply) item["path"] = util::nullIfEmpty(s.path);
    item["score"] = s.score;
    out.push_back(std::move(item));
  }
  return out;
}

json ticketNoteJson(const store::TicketNote& note) {
  return {{"id", note.id},
          {"author", note.author},
          {"author_name", util::nullIfEmpty(note.author_name)},
          {"text", note.text},
          {"created_at", util::isoTimestampFromEpochMs(note.created_ms)}};
}

json ticketJson(const store::Ticket& ticket) {
  json transcript = json::array();
  for (const auto& e : ticket.transcript) {
    transcript.push_back({{"message_id", e.message_id},
                          {"created_at", util::isoTimestampFromEpochMs(e.created_ms)},
                          {"query", e.query},
                          {"response", e.response},
                          {"answered", e.answered},
                          {"sources", citedSourcesJson(e.sources, SourcesStyle::kTranscript)}});
  }
  json out = {
      {"id", displayId(ticket.id)},
      {"number", ticket.id},
      {"status", store::toString(ticket.status)},
      {"priority", store::toString(ticket.priority)},
      {"subject", ticket.subject},
      {"description", ticket.description},
      {"category", ticket.category},
      {"contact", ticket.contact},
      // Who opened it: an identity subject ("key:...", "oidc:..."); null when anonymous.
      {"opened_by", util::nullIfEmpty(ticket.owner)},
      {"session_id", util::nullIfEmpty(ticket.session_id)},
      {"created_at", util::isoTimestampFromEpochMs(ticket.created_ms)},
      {"updated_at", util::isoTimestampFromEpochMs(ticket.updated_ms)},
      {"transcript", std::move(transcript)},
      {"articles_tried", citedSourcesJson(ticket.articles_tried, SourcesStyle::kArticlesTried)},
      {"delivery", deliveryJson(ticket.delivery)}};
  if (ticket.notes) {
    json notes = json::array();
    for (const auto& note : *ticket.notes) notes.push_back(ticketNoteJson(note));
    out["notes"] = std::move(notes);
  }
  return out;
}

std::string webhookPayload(const store::OutboxEvent& event, const store::Ticket& ticket,
                           store::EpochMs sent_at) {
  json payload = {{"event", event.event},
                  {"event_id", event.id},
                  {"delivery_attempt", event.attempts + 1},
                  {"sent_at", util::isoTimestampFromEpochMs(sent_at)},
                  {"ticket", ticketJson(ticket)}};
  if (event.note_id) payload["note"] = announcedNote(*event.note_id, ticket);
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string webhookPayload(const store::OutboxEvent& event, const store::Ticket& ticket) {
  return webhookPayload(event, ticket, util::epochMsNow());
}

}  // namespace chatbot::tickets
