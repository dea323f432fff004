#include "api/application.h"

#include <algorithm>

#include "api/errors.h"
#include "observability/log.h"
#include "util/ids.h"
#include "util/time.h"

namespace chatbot::embedded {
std::string_view openapiDocument();
}

namespace chatbot::api {

using field = http::beast_http::field;

namespace {

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string jsonEscaped(const std::string& text) {
  const std::string quoted = nlohmann::json(text).dump();
  return quoted.substr(1, quoted.size() - 2);
}

std::string allowHeader(const std::vector<http::Verb>& verbs) {
  std::string out;
  for (const auto v : verbs) {
    if (!out.empty()) out += ", ";
    out += std::string(http::beast_http::to_string(v));
    if (v == http::Verb::get) out += ", HEAD";
  }
  return out;
}

}  // namespace

http::Response jsonResponse(http::Status status, const nlohmann::json& body, unsigned version) {
  http::Response res{status, version};
  res.set(field::content_type, "application/json");
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

Application::Application(config::Config config, std::shared_ptr<store::Store> store,
                         std::function<void()> outbox_wake)
    : config_(std::move(config)),
      limits_{.max_query_chars = config_.max_query_chars},
      outbox_wake_(std::move(outbox_wake)) {
  if (store) {
    support::SupportOptions options;
    options.sessions.max_exchanges = config_.session_max_messages;
    options.sessions.ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.session_ttl).count();
    options.history_turns = config_.session_history_turns;
    options.confident_score = config_.escalation_min_score;
    options.threads = config_.store_threads;
    support_ = std::make_unique<support::SupportService>(std::move(store), options);
  }
  assets_.loadSwaggerUi(config::resolveBundledPath(config_.web_dir), config_.project_name);
  openapi_ = replaceAll(std::string(embedded::openapiDocument()), "{{API_V1_PREFIX}}", config_.api_v1_prefix);
  openapi_ = replaceAll(openapi_, "{{PROJECT_NAME}}", jsonEscaped(config_.project_name));
  openapi_ = replaceAll(openapi_, "{{VERSION}}", CHATBOT_VERSION);
  openapi_ = replaceAll(openapi_, "{{MAX_QUERY_CHARS}}", std::to_string(config_.max_query_chars));
  registerRoutes();
}

void Application::registerRoutes() {
  auto bind = [this](auto method) {
    return [this, method](const http::Request& r, http::RequestContext& c) { return (this->*method)(r, c); };
  };
  const std::string& p = config_.api_v1_prefix;
  router_.add(http::Verb::get, "/", bind(&Application::root));
  router_.add(http::Verb::get, "/health", bind(&Application::health));
  router_.add(http::Verb::post, p + "/chat/", bind(&Application::chat));
  router_.add(http::Verb::post, p + "/chat/stream", bind(&Application::chatStream));
  router_.add(http::Verb::get, p + "/chat/health", bind(&Application::chatHealth));
  router_.add(http::Verb::get, p + "/sessions/{session_id}", bind(&Application::getSession));
  router_.add(http::Verb::delete_, p + "/sessions/{session_id}", bind(&Application::deleteSession));
  router_.add(http::Verb::post, p + "/feedback", bind(&Application::feedback));
  router_.add(http::Verb::get, p + "/stats", bind(&Application::stats));
  router_.add(http::Verb::post, p + "/tickets", bind(&Application::createTicket));
  router_.add(http::Verb::get, p + "/tickets", bind(&Application::listTickets));
  router_.add(http::Verb::get, p + "/tickets/{ticket_id}", bind(&Application::getTicket));
  router_.add(http::Verb::patch, p + "/tickets/{ticket_id}", bind(&Application::updateTicket));
  router_.add(http::Verb::get, "/openapi.json", bind(&Application::openapi));
  router_.add(http::Verb::get, "/docs", bind(&Application::docs));
  router_.add(http::Verb::get, "/docs/{asset}", bind(&Application::docs));
}

Application::~Application() {
  std::shared_ptr<const Ready> ready;
  {
    const std::lock_guard lock(state_mutex_);
    ready = std::move(ready_);
  }
  ready.reset();
  // Queued store work finishes now, while the rest of the Application is intact.
  support_.reset();
}

void Application::setReady(std::shared_ptr<const rag::ChatService> service) {
  auto writer = std::make_shared<const ChatReplyWriter>(service->index().articles());
  auto ready = std::make_shared<const Ready>(Ready{std::move(writer), std::move(service)});
  const std::lock_guard lock(state_mutex_);
  ready_ = std::move(ready);
}

void Application::setFailed(std::string reason) {
  const std::lock_guard lock(state_mutex_);
  failure_ = std::move(reason);
}

std::string Application::failure() const {
  const std::lock_guard lock(state_mutex_);
  return failure_;
}

http::Response Application::handle(http::Request&& request, const http::ConnectionInfo& connection,
                                   http::Deferral& deferral) {
  http::RequestContext context;
  context.remote_address = connection.remote_address;
  context.deferral = &deferral;
  const auto supplied = request["X-Request-ID"];
  context.request_id = util::isAcceptableRequestId(supplied) ? std::string(supplied) : util::newUuid();

  http::Response response;
  try {
    response = dispatch(request, context);
  } catch (const ApiError& e) {
    response = errorResponse(e, context.request_id, request.version());
  } catch (const std::exception& e) {
    // The client learns only that something failed and which request id to quote.
    log::error("http.unhandled_exception", {{"request_id", context.request_id}, {"error", e.what()}});
    response = errorResponse(http::Status::internal_server_error, "internal_error",
                             "The server could not process the request. Quote the request id when reporting this.",
                             context.request_id, request.version());
  }
  // A deferred reply decorates, logs and answers by itself (a dropped one answers 500).
  if (deferral.deferred()) return response;
  if (request.method() == http::Verb::head) {
    // Content-Length stays that of the GET reply; the server does not recompute a set one.
    response.content_length(response.body().size());
    response.body().clear();
  }
  decorate(response, request[field::origin], context);
  logAccess(request.method_string(), targetPath(request.target()), response.result_int(), context);
  return response;
}

std::shared_ptr<DeferredReply> Application::deferReply(const http::Request& request,
                                                       http::RequestContext& context) const {
  if (context.deferral == nullptr) throw std::logic_error("this request cannot be answered later");
  auto target = context.deferral->defer();
  return std::make_shared<DeferredReply>(*this, std::move(target), request, std::move(context));
}

http::Response Application::dispatch(const http::Request& request, http::RequestContext& context) {
  const std::string_view path = targetPath(request.target());
  if (request.method() == http::Verb::options) return preflight(request, context);
  const auto match = router_.match(request.method(), path, context);
  if (match.route == nullptr) {
    if (match.path_exists) {
      auto res = errorResponse(http::Status::method_not_allowed, "method_not_allowed",
                               std::string(request.method_string()) + " is not allowed on " + std::string(path) +
                                   "; use " + allowHeader(match.allowed) + ".",
                               context.request_id, request.version());
      res.set(field::allow, allowHeader(match.allowed));
      return res;
    }
    return errorResponse(http::Status::not_found, "not_found",
                         "No endpoint at " + std::string(path) + ". See /docs for the API.", context.request_id,
                         request.version());
  }
  return match.route->handler(request, context);
}

http::Response Application::preflight(const http::Request& request, http::RequestContext& context) {
  const std::string_view path = targetPath(request.target());
  const auto match = router_.match(http::Verb::get, path, context);
  if (!match.path_exists) {
    return errorResponse(http::Status::not_found, "not_found", "No endpoint at " + std::string(path) + ".",
                         context.request_id, request.version());
  }
  http::Response res{http::Status::no_content, request.version()};
  res.set(field::allow, allowHeader(match.allowed) + ", OPTIONS");
  const auto origin = request[field::origin];
  if (!origin.empty() && !request[field::access_control_request_method].empty()) {
    const auto& allowed = config_.cors_origins;
    const bool ok = std::find(allowed.begin(), allowed.end(), "*") != allowed.end() ||
                    std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
    if (!ok) {
      return errorResponse(http::Status::forbidden, "cors_origin_not_allowed",
                           "Origin " + std::string(origin) + " is not allowed; add it to CORS_ORIGINS.",
                           context.request_id, request.version());
    }
    res.set(field::access_control_allow_methods, allowHeader(match.allowed) + ", OPTIONS");
    res.set(field::access_control_allow_headers, "Content-Type, Authorization, X-Request-ID, Idempotency-Key");
    res.set(field::access_control_max_age, "600");
  }
  return res;
}

void Application::decorate(http::Response& res, std::string_view origin,
                           const http::RequestContext& context) const {
  res.set(field::server, "chatbot/" CHATBOT_VERSION);
  res.set("X-Request-ID", context.request_id);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (res.find("Content-Security-Policy") == res.end()) {
    res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }
  if (res.find(field::cache_control) == res.end()) res.set(field::cache_control, "no-store");
  if (origin.empty() || config_.cors_origins.empty()) return;
  const auto& allowed = config_.cors_origins;
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) {
    res.set(field::access_control_allow_origin, "*");
  } else if (std::find(allowed.begin(), allowed.end(), origin) != allowed.end()) {
    res.set(field::access_control_allow_origin, origin);
    res.set(field::vary, "Origin");
  } else {
    return;
  }
  res.set(field::access_control_expose_headers, "X-Request-ID");
}

void Application::logAccess(std::string_view method, std::string_view path, unsigned status,
                            const http::RequestContext& context) const {
  const auto level = status >= 500 ? log::Level::kError : log::Level::kInfo;
  if (!log::enabled(level)) return;
  nlohmann::json fields = {{"request_id", context.request_id},
                           {"status", status},
                           {"duration_ms", util::millisSince(context.received_at)},
                           {"remote", context.remote_address}};
  if (!method.empty()) fields["method"] = std::string(method);
  if (!path.empty()) fields["path"] = std::string(path);
  if (!context.stage_ms.empty()) fields["stages_ms"] = context.stage_ms;
  if (!context.redacted.empty()) fields["redacted"] = context.redacted;
  if (context.client_gone) fields["client_gone"] = true;
  if (!context.stream_error.empty()) fields["stream_error"] = context.stream_error;
  log::write(level, "http.request", fields);
}

http::Response Application::protocolError(http::Status status, std::string_view detail,
                                          const http::ConnectionInfo& connection) {
  http::RequestContext context;
  context.request_id = util::newUuid();
  context.remote_address = connection.remote_address;
  auto res = errorResponse(status, defaultErrorCode(status), std::string(detail), context.request_id);
  decorate(res, {}, context);
  logAccess({}, {}, res.result_int(), context);
  return res;
}

}  // namespace chatbot::api
