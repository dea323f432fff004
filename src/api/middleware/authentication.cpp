#include "api/middleware/authentication.h"

#include "api/errors.h"
#include "util/text.h"

namespace chatbot::api {

namespace {

using field = http::beast_http::field;

[[noreturn]] void refuse(std::string code, std::string detail) {
  throw ApiError({ErrorKind::kUnauthenticated, std::move(code), std::move(detail)});
}

}  // namespace

Authentication::Authentication(std::shared_ptr<const auth::Authenticator> authenticator)
    : authenticator_(std::move(authenticator)) {}

std::string_view Authentication::credentialOf(const http::Request& request) {
  const std::string_view authorization = request[field::authorization];
  if (!authorization.empty()) {
    // RFC 9110: the scheme is case-insensitive; one space (or more) before the credential.
    const std::size_t space = authorization.find(' ');
    const std::string scheme = util::asciiLower(authorization.substr(0, space));
    const std::string_view credential = space == std::string_view::npos
                                            ? std::string_view()
                                            : util::trim(authorization.substr(space));
    if (scheme != "bearer" || credential.empty()) {
      refuse(
          "invalid_credentials",
          "Only 'Authorization: Bearer <API key or token>' is accepted (or 'X-API-Key: <key>').");
    }
    return credential;
  }
  return util::trim(request["X-API-Key"]);
}

std::optional<http::Response> Authentication::onRequest(const http::Request& request,
                                                        http::RequestContext& context) const {
  const std::string_view credential = credentialOf(request);
  if (credential.empty()) return std::nullopt;  // anonymous: the route decides (route_table.h)
  auto identity = authenticator_->authenticate(credential, std::chrono::system_clock::now());
  if (!identity) throw ApiError(std::move(identity).error());
  context.identity = std::move(identity).value();
  return std::nullopt;
}

}  // namespace chatbot::api
