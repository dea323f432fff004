#pragma once
// The public JSON shape of a ticket, shared by the HTTP API and the webhook payload so that the
// ticket system receives exactly what GET /tickets/{id} shows. Pure functions; thread-safe.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace chatbot::tickets {

// "IT-<id>", the id users see.
std::string displayId(std::int64_t id);
// The ticket number of "IT-42", "it-42" or "42"; nullopt for anything else (or not positive).
std::optional<std::int64_t> parseDisplayId(std::string_view text);

// How a list of cited articles is shown: numbered where it belongs to one answer (the [n] the
// answer cites each by, from 1), with the KB file's path in a chat reply.
enum class SourcesStyle { kChatReply, kTranscript, kArticlesTried };

// Cited articles as every JSON reply shows them (chat replies, transcripts, tickets, webhook
// payloads): [{"n" (chat replies and transcripts), "article_id", "subject", "category" (null when
// empty), "url" (null when empty), "path" (chat replies; null when empty), "score"}].
nlohmann::json citedSourcesJson(const std::vector<store::CitedSource>& sources, SourcesStyle style);

// {"id": "IT-7", "number": 7, "status", "priority", "subject", "description", "category",
//  "contact", "session_id" (null when empty), "created_at", "updated_at" (ISO-8601 UTC, µs),
//  "transcript": [{"message_id", "created_at", "query", "response", "answered", "sources"}],
//  "articles_tried": [source...], "delivery": {"state", "attempts", "last_error" (null when empty),
//  "next_attempt_at" (null unless pending), "delivered_at" (null unless delivered)}}
// where sources are citedSourcesJson(): numbered in the transcript (each answer cites them by
// number), not in articles_tried (gathered from several answers). "notes": [ticketNoteJson...]
// (oldest first) is there only when ticket.notes is set: the caller decides who sees them.
nlohmann::json ticketJson(const store::Ticket& ticket);

// A service-desk note: {"id", "author" (identity subject), "author_name" (null when empty),
// "text", "created_at"}.
nlohmann::json ticketNoteJson(const store::TicketNote& note);

// The body POSTed to TICKET_WEBHOOK_URL for one outbox event:
// {"event": "ticket.created" | "ticket.updated" | "ticket.note_added", "event_id": <outbox id,
//  the same on every retry>, "delivery_attempt": <event.attempts + 1>, "sent_at": ISO-8601,
//  "ticket": ticketJson(ticket)}, and for an event that announces a note, "note":
// ticketNoteJson() of it (null when `ticket` does not hold it). The receiver is the desk's own
// ticket system, so the ticket goes with its notes where `ticket` has them loaded.
// The ticket is its state at send time, not at the event's creation (a late delivery never sends
// stale data), so "delivery" in it describes this very delivery as pending. Compact JSON; bytes
// that are not valid UTF-8 become U+FFFD rather than failing the delivery.
std::string webhookPayload(const store::OutboxEvent& event, const store::Ticket& ticket,
                           store::EpochMs sent_at);
std::string webhookPayload(const store::OutboxEvent& event, const store::Ticket& ticket);

}  // namespace chatbot::tickets
