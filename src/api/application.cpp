#include "api/application.h"

#include "api/errors.h"
#include "api/middleware/middlewares.h"
#include "api/routes/chat_routes.h"
#include "api/routes/conversation_routes.h"
#include "api/routes/system_routes.h"
#include "api/routes/ticket_routes.h"
#include "util/ids.h"

namespace chatbot::api {

namespace {

Services withServingState(Services services) {
  if (!services.serving) services.serving = std::make_shared<ServingState>();
  return services;
}

}  // namespace

std::vector<std::unique_ptr<Middleware>> standardMiddlewares(const config::Config& config,
                                                             const http::Router& router) {
  std::vector<std::unique_ptr<Middleware>> middlewares;
  middlewares.push_back(std::make_unique<RequestId>());
  middlewares.push_back(std::make_unique<AccessLog>());
  middlewares.push_back(std::make_unique<SecurityHeaders>());
  middlewares.push_back(std::make_unique<Cors>(config.cors_origins, router));
  return middlewares;
}

Application::Application(config::Config config, Services services)
    : config_(std::move(config)),
      services_(withServingState(std::move(services))),
      openapi_(api::openapiDocument(config_)),
      pipeline_(standardMiddlewares(config_, router_), router_),
      env_{config_, pipeline_, services_, filter_} {
  modules_.push_back(std::make_unique<SystemRoutes>(env_, openapi_));
  modules_.push_back(std::make_unique<ChatRoutes>(env_));
  modules_.push_back(std::make_unique<ConversationRoutes>(env_));
  modules_.push_back(std::make_unique<TicketRoutes>(env_));
  for (const auto& module : modules_) module->addRoutes(router_);
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
