#pragma once
// The HTTP application: the middleware pipeline (api/pipeline.h, api/middleware/) in front of the
// route modules (api/routes/), as the server's RequestHandler. It owns the router, the pipeline
// and the modules; the services behind them are given (app/ composes them).
//
// Thread-safety: built before serving, then handle() and protocolError() run concurrently on the
// server threads. Readiness changes go through the ServingState, which is thread-safe.
#include <memory>
#include <string>
#include <vector>

#include "api/pipeline.h"
#include "api/routes/route_module.h"
#include "config/config.h"
#include "http/router.h"
#include "http/server.h"
#include "security/credential_filter.h"

namespace chatbot::api {

class Application final : public http::RequestHandler {
 public:
  // Services left null answer 503 where they are needed (library use without a database); a null
  // `serving` gets a fresh ServingState.
  explicit Application(config::Config config, Services services = {});
  // Drops the chat service first, so that answers still in flight finish (their observers use the
  // reply writer and the pipeline) before anything else goes.
  ~Application() override;

  // Shortcuts to the ServingState: the KB is indexed (chat answers from now on), or start-up
  // failed for good (/health says why, chat answers 503).
  void setReady(std::shared_ptr<const rag::ChatService> service);
  void setFailed(std::string reason);

  http::Response handle(http::Request&& request, const http::ConnectionInfo& connection,
                        http::Deferral& deferral) override;
  http::Response protocolError(http::Status status, std::string_view detail,
                               const http::ConnectionInfo& connection) override;

  const http::Router& router() const noexcept { return router_; }
  const std::string& openapiDocument() const noexcept { return openapi_; }
  // Every route with who may call it.
  const std::vector<RouteSpec>& routes() const noexcept { return routes_; }

 private:
  const config::Config config_;
  Services services_;
  const security::CredentialFilter filter_;
  std::string openapi_;  // set by the constructor, then constant
  http::Router router_;
  std::vector<RouteSpec> routes_;  // who may call what (route_table.h)
  const RateLimits rate_limits_;   // the routes' limiters; outlives router_'s handlers
  Pipeline pipeline_;              // refers to router_
  const RouteEnv env_;             // refers to the members above
  std::vector<std::unique_ptr<RouteModule>> modules_;  // refer to env_; registered in router_
};

// The standard pipeline: request id, access log, the audit trail (with services.audit), security
// headers, CORS (see middlewares.h), then authentication (with services.authenticator).
std::vector<std::unique_ptr<Middleware>> standardMiddlewares(const config::Config& config,
                                                             const http::Router& router,
                                                             const Services& services = {});

}  // namespace chatbot::api
