#pragma once
// Finds who is calling: the credential of 'Authorization: Bearer <credential>' or
// 'X-API-Key: <credential>' becomes context.identity (auth::Authenticator); no credential leaves
// the caller anonymous, and the route decides whether that will do (api/routes/route_table.h).
// A credential that is sent but not valid is refused with 401 on every route, public ones too:
// a client with a broken key learns it at once instead of being served as someone else.
//
// Thread-safety: immutable; the authenticator is thread-safe.
#include <memory>
#include <optional>
#include <string_view>

#include "api/pipeline.h"
#include "auth/authenticator.h"

namespace chatbot::api {

class Authentication final : public Middleware {
 public:
  // `authenticator` is never null (without keys, ADMIN_API_KEY or OIDC it refuses everything).
  explicit Authentication(std::shared_ptr<const auth::Authenticator> authenticator);
  std::optional<http::Response> onRequest(const http::Request& request,
                                          http::RequestContext& context) const override;

  // The credential a request presents; empty when none. Throws ApiError 401 for an
  // Authorization header that is not a bearer credential.
  static std::string_view credentialOf(const http::Request& request);

 private:
  const std::shared_ptr<const auth::Authenticator> authenticator_;
};

}  // namespace chatbot::api
