#include "api/routes/ticket_routes.h"

#include "api/routes/ticket_requests.h"
#include "tickets/ticket_json.h"
#include "util/text.h"

namespace chatbot::api {

namespace {

// GET /tickets: the page as an index (no transcripts) and the link to the next one.
nlohmann::json ticketPageJson(const store::TicketPage& page, const store::TicketListQuery& query,
                              const std::string& prefix) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : page.tickets) {
    auto j = tickets::ticketJson(t);
    j.erase("transcript");  // GET /tickets/{id} has the whole ticket
    list.push_back(std::move(j));
  }
  nlohmann::json out = {{"tickets", std::move(list)}, {"next", nullptr}};
  if (!page.next_before_id) return out;
  const std::string next = tickets::displayId(*page.next_before_id);
  out["next"] = next;
  std::string link = prefix + "/tickets?limit=" + std::to_string(query.limit) + "&before=" + next;
  if (query.status) link += "&status=" + std::string(store::toString(*query.status));
  out["next_url"] = link;
  return out;
}

// `access_token`: shown to an anonymous opener, once per create (see auth/ticket_access.h).
http::Response ticketResponse(http::Status status, const store::Ticket& ticket, unsigned version,
                              const std::string& access_token = {}) {
  nlohmann::json body = tickets::ticketJson(ticket);
  if (!access_token.empty()) body["access_token"] = access_token;
  return jsonResponse(status, body, version);
}

}  // namespace

void TicketRoutes::addRoutes(RouteTable& routes) const {
  const std::string& p = env_.config.api_v1_prefix;
  routes.add(http::Verb::post, p + "/tickets", Access::kCaller,
             bindRoute(this, &TicketRoutes::createTicket), Budget::kTickets);
  routes.add(http::Verb::get, p + "/tickets", Access::kIdentified,
             bindRoute(this, &TicketRoutes::listTickets));
  routes.add(http::Verb::get, p + "/tickets/{ticket_id}", Access::kCaller,
             bindRoute(this, &TicketRoutes::getTicket));
  routes.add(http::Verb::patch, p + "/tickets/{ticket_id}", Access::kAgent,
             bindRoute(this, &TicketRoutes::updateTicket));
  // Notes are internal to the desk: only agents and admins write them (and see them).
  routes.add(http::Verb::post, p + "/tickets/{ticket_id}/notes", Access::kAgent,
             bindRoute(this, &TicketRoutes::addNote));
}

const support::TicketService& TicketRoutes::tickets() const {
  env_.requireSupport();
  return *env_.services.tickets;
}

http::Response TicketRoutes::createTicket(const http::Request& request,
                                          http::RequestContext& context) const {
  support::TicketDraft draft = parseTicketDraft(request, env_.filter, context);
  env_.admitWrite();
  // For the category of a description; null while the KB is being indexed.
  auto retrieval = env_.services.serving->service();
  const auto& service = tickets();
  const std::string location_prefix = env_.config.api_v1_prefix + "/tickets/";
  return env_.offload<support::OpenedTicket>(
      request, context,
      [&service, retrieval, draft = std::move(draft), caller = context.identity] {
        return service.create(draft, retrieval.get(), caller);
      },
      [location_prefix](support::OpenedTicket& opened, unsigned version) {
        const store::CreatedTicket& created = opened.created;
        auto res = ticketResponse(created.created ? http::Status::created : http::Status::ok,
                                  created.ticket, version, opened.access_token);
        res.set(http::beast_http::field::location,
                location_prefix + tickets::displayId(created.ticket.id));
        return res;
      });
}

http::Response TicketRoutes::getTicket(const http::Request& request,
                                       http::RequestContext& context) const {
  const std::int64_t id = ticketNumberParam(context);
  const auto& service = tickets();
  // An anonymous opener's proof (see auth/ticket_access.h); ignored for identities.
  std::string token(util::trim(request["X-Ticket-Token"]));
  return env_.offload<store::Ticket>(
      request, context,
      [&service, id, caller = context.identity, token = std::move(token)] {
        return service.ticket(id, caller, token);
      },
      [](store::Ticket& ticket, unsigned version) {
        return ticketResponse(http::Status::ok, ticket, version);
      });
}

http::Response TicketRoutes::listTickets(const http::Request& request,
                                         http::RequestContext& context) const {
  const store::TicketListQuery query = parseTicketListQuery(request.target());
  const auto& service = tickets();
  const std::string prefix = env_.config.api_v1_prefix;
  return env_.offload<store::TicketPage>(
      request, context,
      [&service, query, caller = context.identity] { return service.list(query, caller); },
      [query, prefix](store::TicketPage& page, unsigned version) {
        return jsonResponse(http::Status::ok, ticketPageJson(page, query, prefix), version);
      });
}

http::Response TicketRoutes::updateTicket(const http::Request& request,
                                          http::RequestContext& context) const {
  const std::int64_t id = ticketNumberParam(context);
  const store::TicketStatus status = parseTicketUpdate(request);
  const auto& service = tickets();
  return env_.offload<store::Ticket>(
      request, context, [&service, id, status] { return service.updateStatus(id, status); },
      [](store::Ticket& ticket, unsigned version) {
        return ticketResponse(http::Status::ok, ticket, version);
      });
}

http::Response TicketRoutes::addNote(const http::Request& request,
                                     http::RequestContext& context) const {
  const std::int64_t id = ticketNumberParam(context);
  std::string text = parseTicketNote(request, env_.filter, context);
  env_.admitWrite();
  const auto& service = tickets();
  // There is no URL per note: the ticket is where the note is shown (in its "notes").
  const std::string location = env_.config.api_v1_prefix + "/tickets/" + tickets::displayId(id);
  return env_.offload<store::TicketNote>(
      request, context,
      [&service, id, text = std::move(text), caller = context.identity] {
        return service.addNote(id, text, caller);
      },
      [location](store::TicketNote& note, unsigned version) {
        auto res = jsonResponse(http::Status::created, tickets::ticketNoteJson(note), version);
        res.set(http::beast_http::field::location, location);
        return res;
      });
}

}  // namespace chatbot::api
