#pragma once
// POST/GET {prefix}/tickets, GET/PATCH {prefix}/tickets/{id}, POST {prefix}/tickets/{id}/notes:
// escalation to the service desk, and the desk's work on tickets.
// Requests are validated (and free text redacted) on the HTTP thread; the TicketService runs on
// the support threads (offload).
#include "api/routes/route_module.h"

namespace chatbot::api {

class TicketRoutes final : public RouteModule {
 public:
  explicit TicketRoutes(const RouteEnv& env) : env_(env) {}
  void addRoutes(RouteTable& routes) const override;

 private:
  http::Response createTicket(const http::Request& request, http::RequestContext& context) const;
  http::Response getTicket(const http::Request& request, http::RequestContext& context) const;
  http::Response listTickets(const http::Request& request, http::RequestContext& context) const;
  http::Response updateTicket(const http::Request& request, http::RequestContext& context) const;
  http::Response addNote(const http::Request& request, http::RequestContext& context) const;
  const support::TicketService& tickets() const;

  const RouteEnv& env_;
};

}  // namespace chatbot::api
