#include "api/routes/system_routes.h"

#include "api/health.h"
#include "util/time.h"

namespace chatbot::embedded {
std::string_view openapiDocument();
}

namespace chatbot::api {

using field = http::beast_http::field;

namespace {

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string jsonEscaped(const std::string& text) {
  const std::string quoted = nlohmann::json(text).dump();
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

std::string openapiDocument(const config::Config& config) {
  std::string doc = std::string(embedded::openapiDocument());
  doc = replaceAll(std::move(doc), "{{API_V1_PREFIX}}", config.api_v1_prefix);
  doc = replaceAll(std::move(doc), "{{PROJECT_NAME}}", jsonEscaped(config.project_name));
  doc = replaceAll(std::move(doc), "{{VERSION}}", CHATBOT_VERSION);
  return replaceAll(std::move(doc), "{{MAX_QUERY_CHARS}}", std::to_string(config.max_query_chars));
}

SystemRoutes::SystemRoutes(const RouteEnv& env, const std::string& openapi)
    : env_(env), openapi_(openapi) {
  assets_.loadSwaggerUi(config::resolveBundledPath(env.config.web_dir), env.config.project_name);
}

void SystemRoutes::addRoutes(RouteTable& routes) const {
  // Public even with CHAT_ACCESS=authenticated: probes, the API's description and its viewer.
  routes.add(http::Verb::get, "/", Access::kPublic, bindRoute(this, &SystemRoutes::root));
  routes.add(http::Verb::get, "/health", Access::kPublic, bindRoute(this, &SystemRoutes::health));
  routes.add(http::Verb::get, env_.config.api_v1_prefix + "/chat/health", Access::kPublic,
             bindRoute(this, &SystemRoutes::chatHealth));
  routes.add(http::Verb::get, "/openapi.json", Access::kPublic,
             bindRoute(this, &SystemRoutes::openapi));
  routes.add(http::Verb::get, "/docs", Access::kPublic, bindRoute(this, &SystemRoutes::docs));
  routes.add(http::Verb::get, "/docs/{asset}", Access::kPublic,
             bindRoute(this, &SystemRoutes::docs));
}

http::Response SystemRoutes::root(const http::Request& request, http::RequestContext&) const {
  const auto& config = env_.config;
  return jsonResponse(http::Status::ok,
                      {{"name", config.project_name},
                       {"version", CHATBOT_VERSION},
                       {"status", env_.services.serving->service() ? "running" : "starting"},
                       {"docs", "/docs"},
                       {"health", "/health"},
                       {"openapi", "/openapi.json"},
                       {"chat", config.api_v1_prefix + "/chat/"}},
                      request.version());
}

http::Response SystemRoutes::health(const http::Request& request, http::RequestContext&) const {
  const auto& services = env_.services;
  const nlohmann::json components =
      healthComponents({env_.config, *services.serving, services.support.get(),
                        services.storage.get(), services.lexical_engine});
  const std::string overall = overallStatus(components);
  const nlohmann::json body = {{"status", overall},
                               {"models_loaded", loadedModels(*services.serving).configured},
                               {"version", CHATBOT_VERSION},
                               {"uptime_seconds", util::millisSince(started_) / 1000.0},
                               {"timestamp", util::isoTimestampNow()},
                               {"components", components}};
  const auto status =
      overall == "unavailable" ? http::Status::service_unavailable : http::Status::ok;
  return jsonResponse(status, body, request.version());
}

// The reference API's shape (`status` healthy or unhealthy, `details` about its models) with our
// own fields beside it; `state` keeps apart starting and failed, which both are unhealthy.
http::Response SystemRoutes::chatHealth(const http::Request& request, http::RequestContext&) const {
  const auto& serving = *env_.services.serving;
  const LoadedModels loaded = loadedModels(serving);
  const nlohmann::json details = {{"embeddings_loaded", loaded.embeddings},
                                  {"database_loaded", loaded.database},
                                  {"llm_loaded", loaded.llm}};
  const auto service = serving.service();
  if (!service) {
    const std::string failed = serving.failure();
    return jsonResponse(
        http::Status::service_unavailable,
        {{"status", "unhealthy"},
         {"ready", false},
         {"state", failed.empty() ? "starting" : "unavailable"},
         {"details", details},
         {"detail", failed.empty() ? "The knowledge base is being indexed." : failed}},
        request.version());
  }
  return jsonResponse(http::Status::ok,
                      {{"status", "healthy"},
                       {"ready", true},
                       {"state", "ready"},
                       {"details", details},
                       {"articles", service->index().info().articles},
                       {"retriever", service->retriever().name()},
                       {"generator", service->generator().kind()},
                       {"model", service->generator().model()},
                       {"generation", generatorState(service->generator())}},
                      request.version());
}

http::Response SystemRoutes::openapi(const http::Request& request, http::RequestContext&) const {
  http::Response res{http::Status::ok, request.version()};
  res.set(field::content_type, "application/json");
  res.body() = openapi_;
  return res;
}

http::Response SystemRoutes::docs(const http::Request& request,
                                  http::RequestContext& context) const {
  http::Response res{http::Status::ok, request.version()};
  const auto asset_name = context.path_params.find("asset");
  if (asset_name == context.path_params.end() || asset_name->second == "index.html") {
    res.set(field::content_type, "text/html; charset=utf-8");
    res.body() = assets_.indexHtml();
  } else {
    const Asset* asset = assets_.find(asset_name->second);
    if (asset == nullptr) {
      throw ApiError(
          Error::notFound("not_found", "No documentation asset named " + asset_name->second + "."));
    }
    res.set(field::content_type, asset->content_type);
    res.set(field::cache_control, "public, max-age=86400");
    res.body() = asset->body;
  }
  // Swagger UI styles itself inline; scripts come only from this server.
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
          "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
  return res;
}

}  // namespace chatbot::api
