#include <algorithm>

#include "api/errors.h"
#include "api/middleware/middlewares.h"

namespace chatbot::api {

using field = http::beast_http::field;

Cors::Cors(std::vector<std::string> allowed_origins, const http::Router& router)
    : allowed_(std::move(allowed_origins)),
      any_origin_(std::find(allowed_.begin(), allowed_.end(), "*") != allowed_.end()),
      router_(router) {}

bool Cors::allows(std::string_view origin) const {
  return any_origin_ || std::find(allowed_.begin(), allowed_.end(), origin) != allowed_.end();
}

std::optional<http::Response> Cors::onRequest(const http::Request& request,
                                              http::RequestContext& context) const {
  if (request.method() != http::Verb::options) return std::nullopt;
  return preflight(request, context);
}

// OPTIONS on any known path answers with its methods; a browser's preflight (Origin and
// Access-Control-Request-Method) also learns what it may send, or 403 for an origin not allowed.
http::Response Cors::preflight(const http::Request& request, http::RequestContext& context) const {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const auto match = router_.match(http::Verb::get, path, context);
  if (!match.path_exists) {
    throw ApiError(Error::notFound("not_found", "No endpoint at " + std::string(path) + "."));
  }
  http::Response res{http::Status::no_content, request.version()};
  res.set(field::allow, allowHeader(match.allowed) + ", OPTIONS");
  const auto origin = request[field::origin];
  if (origin.empty() || request[field::access_control_request_method].empty()) return res;
  if (!allows(origin)) {
    throw ApiError({ErrorKind::kForbidden, "cors_origin_not_allowed",
                    "Origin " + std::string(origin) + " is not allowed; add it to CORS_ORIGINS."});
  }
  res.set(field::access_control_allow_methods, allowHeader(match.allowed) + ", OPTIONS");
  res.set(field::access_control_allow_headers,
          "Content-Type, Authorization, X-Request-ID, Idempotency-Key");
  res.set(field::access_control_max_age, "600");
  return res;
}

void Cors::onReply(const RequestSummary& request, http::Response& res,
                   const http::RequestContext&) const {
  if (request.origin.empty() || allowed_.empty()) return;
  if (any_origin_) {
    res.set(field::access_control_allow_origin, "*");
  } else if (allows(request.origin)) {
    res.set(field::access_control_allow_origin, request.origin);
    res.set(field::vary, "Origin");
  } else {
    return;
  }
  res.set(field::access_control_expose_headers, "X-Request-ID");
}

}  // namespace chatbot::api
