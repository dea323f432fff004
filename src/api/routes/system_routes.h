#pragma once
// GET /, /health, {prefix}/chat/health, /openapi.json and /docs (Swagger UI, served from WEB_DIR).
#include <chrono>
#include <string>

#include "api/routes/route_module.h"
#include "api/static_assets.h"

namespace chatbot::api {

class SystemRoutes final : public RouteModule {
 public:
  // `openapi`: the document with the configured prefix, names and security filled in; owned by
  // the Application, which completes it once every route is registered, before serving.
  SystemRoutes(const RouteEnv& env, const std::string& openapi);
  void addRoutes(RouteTable& routes) const override;

 private:
  http::Response root(const http::Request& request, http::RequestContext& context) const;
  http::Response health(const http::Request& request, http::RequestContext& context) const;
  http::Response chatHealth(const http::Request& request, http::RequestContext& context) const;
  http::Response openapi(const http::Request& request, http::RequestContext& context) const;
  http::Response docs(const http::Request& request, http::RequestContext& context) const;

  const RouteEnv& env_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const std::string& openapi_;
  StaticAssets assets_;
};

// The OpenAPI document compiled into the binary, with the configured prefix, name and limits.
std::string openapiDocument(const config::Config& config);
// `document` with the security schemes and, per operation, who may call it, from the route
// table (api/openapi_security.cpp): the document cannot disagree with what the server enforces.
std::string withSecurity(const std::string& document, const std::vector<RouteSpec>& routes,
                         bool open_chat);

}  // namespace chatbot::api
