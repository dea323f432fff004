#include "api/routes/ticket_routes.h"

#include "api/routes/ticket_requests.h"
#include "tickets/ticket_json.h"

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

http::Response ticketResponse(http::Status status, const store::Ticket& ticket, unsigned version) {
  return jsonResponse(status, tickets::ticketJson(ticket), version);
}

}  // namespace

void TicketRoutes::addRoutes(http::Router& router) const {
  const std::string& p = env_.config.api_v1_prefix;
  router.add(http::Verb::post, p + "/tickets", bindRoute(this, &TicketRoutes::createTicket));
  router.add(http::Verb::get, p + "/tickets", bindRoute(this, &TicketRoutes::listTickets));
  router.add(http::Verb::get, p + "/tickets/{ticket_id}",
             bindRoute(this, &TicketRoutes::getTicket));
  router.add(http::Verb::patch, p + "/tickets/{ticket_id}",
             bindRoute(this, &TicketRoutes::updateTicket));
}

const support::TicketService& TicketRoutes::tickets() const {
  env_.requireSupport();
  return *env_.services.tickets;
}

http::Response TicketRoutes::createTicket(const http::Request& request,
                                          http::RequestContext& context) const {
  support::TicketDraft draft = parseTicketDraft(request, env_.filter, context);
  // For the category of a description; null while the KB is being indexed.
  auto retrieval = env_.services.serving->service();
  const auto& service = tickets();
  const std::string location_prefix = env_.config.api_v1_prefix + "/tickets/";
  return env_.offload<store::CreatedTicket>(
      request, context,
      [&service, retrieval, draft = std::move(draft)] {
        return service.create(draft, retrieval.get());
      },
      [location_prefix](store::CreatedTicket& created, unsigned version) {
        auto res = ticketResponse(created.created ? http::Status::created : http::Status::ok,
                                  created.ticket, version);
        res.set(http::beast_http::field::location,
                location_prefix + tickets::displayId(created.ticket.id));
        return res;
      });
}

http::Response TicketRoutes::getTicket(const http::Request& request,
                                       http::RequestContext& context) const {
  const std::int64_t id = ticketNumberParam(context);
  const auto& service = tickets();
  return env_.offload<store::Ticket>(
      request, context, [&service, id] { return service.ticket(id); },
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
      request, context, [&service, query] { return service.list(query); },
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

}  // namespace chatbot::api
