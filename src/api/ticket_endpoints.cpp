// POST/GET {prefix}/tickets, GET/PATCH {prefix}/tickets/{id}: escalation to the service desk.
// A ticket is built from the conversation (transcript, articles tried, category from retrieval)
// and committed together with its webhook event (the outbox) before the reply is sent.
#include "api/application.h"
#include "api/errors.h"
#include "api/json_body.h"
#include "http/query_string.h"
#include "support/ticket_builder.h"
#include "tickets/ticket_json.h"
#include "util/ids.h"
#include "util/time.h"

namespace chatbot::api {

namespace {

constexpr std::size_t kMaxDescriptionChars = 4000;
constexpr std::size_t kMaxSubjectChars = 200;
constexpr std::size_t kMaxContactChars = 200;

// "IT-42" or "42".
std::optional<std::int64_t> parseTicketNumber(std::string_view text) {
  if (text.size() > 3 && (text[0] == 'I' || text[0] == 'i') && (text[1] == 'T' || text[1] == 't') && text[2] == '-') {
    text.remove_prefix(3);
  }
  if (text.empty() || text.size() > 15) return std::nullopt;
  std::int64_t n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return std::nullopt;
  return n;
}

std::int64_t ticketNumberParam(const http::RequestContext& context) {
  const auto n = parseTicketNumber(context.path_params.at("ticket_id"));
  if (!n) invalidField("A ticket id looks like IT-42 (or just 42).");
  return *n;
}

ApiError ticketNotFound(std::int64_t id) {
  return ApiError(http::Status::not_found, "ticket_not_found", "No ticket IT-" + std::to_string(id) + ".");
}

std::string allowed(std::initializer_list<std::string_view> names) {
  std::string out;
  for (const auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

store::TicketStatus statusField(const std::string& text) {
  const auto status = store::parseTicketStatus(text);
  if (!status) {
    invalidField("'status' must be one of " + allowed({"open", "in_progress", "resolved", "closed"}) + "; got '" +
                 text + "'.");
  }
  return *status;
}

}  // namespace

http::Response Application::createTicket(const http::Request& request, http::RequestContext& context) const {
  requireJsonContentType(request[http::beast_http::field::content_type]);
  const auto body = parseJsonObject(
      request.body(), R"({"session_id": "<from a chat reply>", "description": "My laptop does not start"})");
  support::TicketDraft draft;
  if (const auto session = stringField(body, "session_id", 64)) {
    if (!isAcceptableId(*session)) invalidField("'session_id' must be the session_id of a chat reply.");
    draft.session_id = *session;
  }
  std::vector<std::string> redacted;
  const auto redact = [&](const std::string& text) {
    auto r = filter_.redact(text);
    redacted.insert(redacted.end(), r.kinds.begin(), r.kinds.end());
    return std::move(r.text);
  };
  if (const auto description = stringField(body, "description", kMaxDescriptionChars)) {
    draft.description = redact(*description);
  }
  if (draft.session_id.empty() && draft.description.empty()) {
    invalidField("Give a 'session_id' (to escalate a conversation), a 'description' of the problem, or both.");
  }
  if (const auto subject = stringField(body, "subject", kMaxSubjectChars)) draft.subject = redact(*subject);
  if (const auto contact = stringField(body, "contact", kMaxContactChars)) draft.contact = redact(*contact);
  if (const auto priority = stringField(body, "priority", 16)) {
    draft.priority = store::parseTicketPriority(*priority);
    if (!draft.priority) {
      invalidField("'priority' must be one of " + allowed({"low", "normal", "high", "urgent"}) + "; got '" + *priority +
                   "'.");
    }
  }
  const auto key = request["Idempotency-Key"];
  if (!key.empty()) {
    if (key.size() > 128 || !util::isAcceptableRequestId(key)) {
      invalidField("The Idempotency-Key header must be 1-128 printable characters without spaces.");
    }
    draft.idempotency_key = std::string(key);
  }
  context.redacted = std::move(redacted);

  const auto serving = ready();  // for the category of a description (may be null while indexing)
  const bool notify = !config_.ticket_webhook_url.empty();
  const auto& service = support();
  return offload(request, context, [this, &service, serving, notify, draft = std::move(draft)](unsigned version) {
    std::vector<store::Exchange> transcript;
    if (!draft.session_id.empty()) {
      const auto session = service.store().session(draft.session_id, util::epochMsNow());
      if (!session) {
        throw ApiError(http::Status::not_found, "session_not_found",
                       "No conversation " + draft.session_id + ": it expired or was deleted. Describe the problem in "
                       "'description' instead.");
      }
      transcript = session->exchanges;
    }
    std::vector<store::CitedSource> matches;
    if (serving && !draft.description.empty()) {
      for (const auto& hit : serving->service->retriever().search(draft.description, 3)) {
        const kb::Article& a = serving->service->index().articles().at(hit.article);
        matches.push_back({a.id, a.subject, a.category, a.url, hit.score});
      }
    }
    const store::NewTicket ticket = support::buildTicket(draft, transcript, matches);
    const auto created = service.store().createTicket(ticket, util::epochMsNow(), notify);
    if (created.created && notify && outbox_wake_) outbox_wake_();
    auto res = jsonResponse(created.created ? http::Status::created : http::Status::ok,
                            tickets::ticketJson(created.ticket), version);
    res.set(http::beast_http::field::location,
            config_.api_v1_prefix + "/tickets/IT-" + std::to_string(created.ticket.id));
    return res;
  });
}

http::Response Application::getTicket(const http::Request& request, http::RequestContext& context) const {
  const std::int64_t id = ticketNumberParam(context);
  const auto& service = support();
  return offload(request, context, [&service, id](unsigned version) {
    const auto ticket = service.store().ticket(id);
    if (!ticket) throw ticketNotFound(id);
    return jsonResponse(http::Status::ok, tickets::ticketJson(*ticket), version);
  });
}

http::Response Application::listTickets(const http::Request& request, http::RequestContext& context) const {
  const auto params = http::queryParameters(request.target());
  if (!params) invalidField("The query string is malformed (a bad %-escape).");
  store::TicketListQuery query;
  for (const auto& [name, value] : *params) {
    if (name == "status") {
      query.status = statusField(value);
    } else if (name == "limit") {
      const bool digits = !value.empty() && value.size() <= 3 &&
                          value.find_first_not_of("0123456789") == std::string::npos;
      const int limit = digits ? std::stoi(value) : 0;
      if (limit < 1 || limit > 100) invalidField("'limit' must be an integer from 1 to 100; got '" + value + "'.");
      query.limit = static_cast<std::size_t>(limit);
    } else if (name == "before") {
      query.before_id = parseTicketNumber(value);
      if (!query.before_id) invalidField("'before' must be a ticket id such as IT-42 (the 'next' of an earlier page).");
    } else {
      invalidField("Unknown parameter '" + name + "'; use status, limit and before.");
    }
  }
  const auto& service = support();
  const std::string prefix = config_.api_v1_prefix;
  return offload(request, context, [&service, query, prefix](unsigned version) {
    const auto page = service.store().listTickets(query);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& t : page.tickets) {
      auto j = tickets::ticketJson(t);
      j.erase("transcript");  // the list is an index; GET /tickets/{id} has the whole ticket
      list.push_back(std::move(j));
    }
    nlohmann::json next = nullptr;
    if (page.next_before_id) next = "IT-" + std::to_string(*page.next_before_id);
    nlohmann::json out = {{"tickets", std::move(list)}, {"next", next}};
    if (page.next_before_id) {
      std::string link = prefix + "/tickets?limit=" + std::to_string(query.limit) + "&before=" + next.get<std::string>();
      if (query.status) link += "&status=" + std::string(store::toString(*query.status));
      out["next_url"] = link;
    }
    return jsonResponse(http::Status::ok, out, version);
  });
}

http::Response Application::updateTicket(const http::Request& request, http::RequestContext& context) const {
  const std::int64_t id = ticketNumberParam(context);
  requireJsonContentType(request[http::beast_http::field::content_type]);
  const auto body = parseJsonObject(request.body(), R"({"status": "resolved"})");
  const auto status_text = stringField(body, "status", 16);
  if (!status_text) invalidField("'status' is required: open, in_progress, resolved or closed.");
  for (const auto& [name, value] : body.items()) {
    if (name != "status") invalidField("Only 'status' can be changed; '" + name + "' cannot.");
  }
  const store::TicketStatus status = statusField(*status_text);
  const bool notify = !config_.ticket_webhook_url.empty();
  const auto& service = support();
  return offload(request, context, [this, &service, id, status, notify](unsigned version) {
    const auto ticket = service.store().updateTicketStatus(id, status, util::epochMsNow(), notify);
    if (!ticket) throw ticketNotFound(id);
    if (notify && outbox_wake_) outbox_wake_();  // nothing queued when the status did not change: a no-op
    return jsonResponse(http::Status::ok, tickets::ticketJson(*ticket), version);
  });
}

}  // namespace chatbot::api
