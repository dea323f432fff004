#pragma once
// GET/DELETE {prefix}/sessions/{id}, POST {prefix}/feedback and GET {prefix}/stats. Input is
// validated on the HTTP thread; the ConversationService runs on the support threads (offload).
#include "api/routes/route_module.h"

namespace chatbot::api {

class ConversationRoutes final : public RouteModule {
 public:
  explicit ConversationRoutes(const RouteEnv& env) : env_(env) {}
  void addRoutes(RouteTable& routes) const override;

 private:
  http::Response getSession(const http::Request& request, http::RequestContext& context) const;
  http::Response deleteSession(const http::Request& request, http::RequestContext& context) const;
  http::Response feedback(const http::Request& request, http::RequestContext& context) const;
  http::Response stats(const http::Request& request, http::RequestContext& context) const;
  const support::ConversationService& conversations() const;

  const RouteEnv& env_;
};

}  // namespace chatbot::api
