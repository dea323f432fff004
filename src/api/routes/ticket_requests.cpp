#include "api/routes/ticket_requests.h"

#include "api/chat_request.h"
#include "api/json_body.h"
#include "http/query_string.h"
#include "tickets/ticket_json.h"
#include "util/ids.h"

namespace chatbot::api {

namespace {

constexpr std::size_t kMaxDescriptionChars = 4000;
constexpr std::size_t kMaxSubjectChars = 200;
constexpr std::size_t kMaxContactChars = 200;
constexpr std::size_t kMaxNoteChars = 4000;

std::string allowed(std::initializer_list<std::string_view> names) {
  std::string out;
  for (const auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

store::TicketStatus statusField(const std::string& text) {
  const auto status = store::parseTicketStatus(text);
  if (!status) {
    invalidField("'status' must be one of " +
                 allowed({"open", "in_progress", "resolved", "closed"}) + "; got '" + text + "'.");
  }
  return *status;
}

std::optional<store::TicketPriority> priorityField(const nlohmann::json& body) {
  const auto priority = stringField(body, "priority", 16);
  if (!priority) return std::nullopt;
  const auto parsed = store::parseTicketPriority(*priority);
  if (!parsed) {
    invalidField("'priority' must be one of " + allowed({"low", "normal", "high", "urgent"}) +
                 "; got '" + *priority + "'.");
  }
  return parsed;
}

std::string idempotencyKey(const http::Request& request) {
  const auto key = request["Idempotency-Key"];
  if (key.empty()) return {};
  if (key.size() > 128 || !util::isAcceptableRequestId(key)) {
    invalidField("The Idempotency-Key header must be 1-128 printable characters without spaces.");
  }
  return std::string(key);
}

std::size_t limitParam(const std::string& value) {
  const bool digits = !value.empty() && value.size() <= 3 &&
                      value.find_first_not_of("0123456789") == std::string::npos;
  const int limit = digits ? std::stoi(value) : 0;
  if (limit < 1 || limit > 100) {
    invalidField("'limit' must be an integer from 1 to 100; got '" + value + "'.");
  }
  return static_cast<std::size_t>(limit);
}

}  // namespace

support::TicketDraft parseTicketDraft(const http::Request& request,
                                      const security::CredentialFilter& filter,
                                      http::RequestContext& context) {
  requireJsonContentType(request[http::beast_http::field::content_type]);
  const auto body = parseJsonObject(
      request.body(),
      R"({"session_id": "<from a chat reply>", "description": "My laptop does not start"})");
  support::TicketDraft draft;
  if (const auto session = stringField(body, "session_id", 64)) {
    if (!isAcceptableId(*session)) {
      invalidField("'session_id' must be the session_id of a chat reply.");
    }
    draft.session_id = *session;
  }
  std::vector<std::string> redacted;
  const auto redact = [&](const std::string& text) {
    auto r = filter.redact(text);
    redacted.insert(redacted.end(), r.kinds.begin(), r.kinds.end());
    return std::move(r.text);
  };
  if (const auto text = stringField(body, "description", kMaxDescriptionChars)) {
    draft.description = redact(*text);
  }
  if (draft.session_id.empty() && draft.description.empty()) {
    invalidField(
        "Give a 'session_id' (to escalate a conversation), a 'description' of the problem, or "
        "both.");
  }
  if (const auto text = stringField(body, "subject", kMaxSubjectChars)) {
    draft.subject = redact(*text);
  }
  if (const auto text = stringField(body, "contact", kMaxContactChars)) {
    draft.contact = redact(*text);
  }
  draft.priority = priorityField(body);
  draft.idempotency_key = idempotencyKey(request);
  context.redacted = std::move(redacted);
  return draft;
}

std::int64_t ticketNumberParam(const http::RequestContext& context) {
  const auto n = tickets::parseDisplayId(context.path_params.at("ticket_id"));
  if (!n) invalidField("A ticket id looks like IT-42 (or just 42).");
  return *n;
}

store::TicketListQuery parseTicketListQuery(std::string_view target) {
  const auto params = http::queryParameters(target);
  if (!params) invalidField("The query string is malformed (a bad %-escape).");
  store::TicketListQuery query;
  for (const auto& [name, value] : *params) {
    if (name == "status") {
      query.status = statusField(value);
    } else if (name == "limit") {
      query.limit = limitParam(value);
    } else if (name == "before") {
      query.before_id = tickets::parseDisplayId(value);
      if (!query.before_id) {
        invalidField("'before' must be a ticket id such as IT-42 (the 'next' of an earlier page).");
      }
    } else {
      invalidField("Unknown parameter '" + name + "'; use status, limit and before.");
    }
  }
  return query;
}

store::TicketStatus parseTicketUpdate(const http::Request& request) {
  requireJsonContentType(request[http::beast_http::field::content_type]);
  const auto body = parseJsonObject(request.body(), R"({"status": "resolved"})");
  const auto status_text = stringField(body, "status", 16);
  if (!status_text) invalidField("'status' is required: open, in_progress, resolved or closed.");
  for (const auto& [name, value] : body.items()) {
    if (name != "status") invalidField("Only 'status' can be changed; '" + name + "' cannot.");
  }
  return statusField(*status_text);
}

std::string parseTicketNote(const http::Request& request, const security::CredentialFilter& filter,
                            http::RequestContext& context) {
  requireJsonContentType(request[http::beast_http::field::content_type]);
  const auto body = parseJsonObject(request.body(), R"({"text": "Called the user back"})");
  const auto text = stringField(body, "text", kMaxNoteChars);
  if (!text) invalidField("'text' is required: the note, at most 4000 characters.");
  for (const auto& [name, value] : body.items()) {
    if (name != "text") invalidField("A note has only 'text'; '" + name + "' is not allowed.");
  }
  // A note is stored and sent to the webhook: a password pasted into it must not be.
  auto redaction = filter.redact(*text);
  context.redacted = std::move(redaction.kinds);
  return std::move(redaction.text);
}

}  // namespace chatbot::api
