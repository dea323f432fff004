#include "api/application.h"

#include "api/errors.h"
#include "api/middleware/audit.h"
#include "api/middleware/authentication.h"
#include "api/middleware/middlewares.h"
#include "api/routes/admin_routes.h"
#include "api/routes/chat_routes.h"
#include "api/routes/conversation_routes.h"
#include "api/routes/system_routes.h"
#include "api/routes/ticket_routes.h"
#include "util/ids.h"

namespace chatbot::api {

namespace {

Services withDefaults(Services services) {
  if (!services.serving) services.serving = std::make_shared<ServingState>();
  if (!services.authenticator) {
    services.authenticator = std::make_shared<auth::Authenticator>(nullptr, "", nullptr);
  }
  return services;
}

}  // namespace

std::vector<std::unique_ptr<Middleware>> standardMiddlewares(const config::Config& config,
                                                             const http::Router& router,
                                                             const Services& services) {
  std::vector<std::unique_ptr<Middleware>> middlewares;
  middlewares.push_back(std::make_unique<RequestId>());
  // First to run before the route: everything after it (limits, logs, audit) sees the client's
  // address rather than the proxy's.
  middlewares.push_back(std::make_unique<ClientAddress>(config.trusted_proxies));
  middlewares.push_back(std::make_unique<AccessLog>());
  if (services.audit) middlewares.push_back(std::make_unique<Audit>(services.audit));
  middlewares.push_back(std::make_unique<SecurityHeaders>());
  // Before authentication: a browser's preflight carries no credentials.
  middlewares.push_back(std::make_unique<Cors>(config.cors_origins, router));
  if (services.authenticator) {
    middlewares.push_back(std::make_unique<Authentication>(services.authenticator));
  }
  return middlewares;
}

Application::Application(config::Config config, Services services)
    : config_(std::move(config)),
      services_(withDefaults(std::move(services))),
      rate_limits_(RateLimitOptions{static_cast<double>(config_.rate_limit_chat_per_minute),
                                    static_cast<double>(config_.rate_limit_tickets_per_hour),
                                    config_.rate_limit_desk_multiplier}),
      pipeline_(standardMiddlewares(config_, router_, services_), router_),
      env_{config_, pipeline_, services_, filter_} {
  modules_.push_back(std::make_unique<SystemRoutes>(env_, openapi_));
  modules_.push_back(std::make_unique<ChatRoutes>(env_));
  modules_.push_back(std::make_unique<ConversationRoutes>(env_));
  modules_.push_back(std::make_unique<TicketRoutes>(env_));
  modules_.push_back(std::make_unique<AdminRoutes>(env_));
  RouteTable table(router_, config_.chat_access == config::ChatAccess::kOpen, &rate_limits_);
  for (const auto& module : modules_) module->addRoutes(table);
  routes_ = table.specs();
  // Before serving, never changed after: SystemRoutes serves it by reference.
  openapi_ = withSecurity(api::openapiDocument(config_), routes_, table.openChat());
}

Application::~Application() {
  services_.serving->reset();
  // Queued store work finishes now, while the routes and the pipeline are intact.
  services_.support.reset();
}

void Application::setReady(std::shared_ptr<const rag::ChatService> service) {
  services_.serving->setReady(std::move(service));
}

void Application::setFailed(std::string reason) {
  services_.serving->setFailed(std::move(reason));
}

http::Response Application::handle(http::Request&& request, const http::ConnectionInfo& connection,
                                   http::Deferral& deferral) {
  http::RequestContext context;
  context.remote_address = connection.remote_address;
  context.deferral = &deferral;
  http::Response response = pipeline_.run(request, context);
  // A deferred reply passes the after-hooks by itself (a dropped one answers 500).
  if (deferral.deferred()) return response;
  if (request.method() == http::Verb::head) {
    // Content-Length stays that of the GET reply; the server does not recompute a set one.
    response.content_length(response.body().size());
    response.body().clear();
  }
  const RequestSummary summary = RequestSummary::of(request);
  pipeline_.finishReply(summary, response, context);
  pipeline_.finished(summary, response.result_int(), context);
  return response;
}

http::Response Application::protocolError(http::Status status, std::string_view detail,
                                          const http::ConnectionInfo& connection) {
  http::RequestContext context;
  context.request_id = util::newUuid();
  context.remote_address = connection.remote_address;
  auto res = protocolErrorResponse(status, std::string(detail), context.request_id);
  const RequestSummary unparsed;  // no method, path or origin: the request could not be read
  pipeline_.finishReply(unparsed, res, context);
  pipeline_.finished(unparsed, res.result_int(), context);
  return res;
}

}  // namespace chatbot::api
