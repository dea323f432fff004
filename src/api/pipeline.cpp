#include "api/pipeline.h"

#include "api/errors.h"
#include "observability/log.h"

namespace chatbot::api {

namespace {

std::string_view targetPath(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// Error mapping: a stage that throws answers with the error format instead.
template <class Stage>
auto guarded(const http::Request& request, http::RequestContext& context, Stage&& stage)
    -> decltype(stage()) {
  try {
    return stage();
  } catch (const ApiError& e) {
    return errorResponse(e.error(), context.request_id, request.version());
  } catch (const std::exception& e) {
    log::error("http.unhandled_exception",
               {{"request_id", context.request_id}, {"error", e.what()}});
    return errorResponse(Error::internal(), context.request_id, request.version());
  }
}

}  // namespace

std::string allowHeader(const std::vector<http::Verb>& verbs) {
  std::string out;
  for (const auto v : verbs) {
    if (!out.empty()) out += ", ";
    out += std::string(http::beast_http::to_string(v));
    if (v == http::Verb::get) out += ", HEAD";
  }
  return out;
}

RequestSummary RequestSummary::of(const http::Request& request) {
  return {std::string(request.method_string()), std::string(targetPath(request.target())),
          std::string(request[http::beast_http::field::origin]), request.version()};
}

Pipeline::Pipeline(std::vector<std::unique_ptr<Middleware>> middlewares, const http::Router& router)
    : middlewares_(std::move(middlewares)), router_(router) {}

http::Response Pipeline::run(const http::Request& request, http::RequestContext& context) const {
  for (const auto& middleware : middlewares_) {
    auto early = guarded(request, context, [&] { return middleware->onRequest(request, context); });
    if (early) return std::move(*early);
  }
  return guarded(request, context, [&] { return route(request, context); });
}

http::Response Pipeline::route(const http::Request& request, http::RequestContext& context) const {
  const std::string_view path = targetPath(request.target());
  const auto match = router_.match(request.method(), path, context);
  if (match.route != nullptr) return match.route->handler(request, context);
  if (!match.path_exists) {
    throw ApiError(Error::notFound(
        "not_found", "No endpoint at " + std::string(path) + ". See /docs for the API."));
  }
  const std::string allow = allowHeader(match.allowed);
  auto res = errorResponse({ErrorKind::kMethodNotAllowed, "method_not_allowed",
                            std::string(request.method_string()) + " is not allowed on " +
                                std::string(path) + "; use " + allow + "."},
                           context.request_id, request.version());
  res.set(http::beast_http::field::allow, allow);
  return res;
}

void Pipeline::finishReply(const RequestSummary& request, http::Response& response,
                           const http::RequestContext& context) const {
  for (const auto& [name, value] : context.reply_headers) response.set(name, value);
  for (auto it = middlewares_.rbegin(); it != middlewares_.rend(); ++it) {
    (*it)->onReply(request, response, context);
  }
}

void Pipeline::finished(const RequestSummary& request, unsigned status,
                        const http::RequestContext& context) const {
  for (const auto& middleware : middlewares_) middleware->onFinished(request, status, context);
}

}  // namespace chatbot::api
