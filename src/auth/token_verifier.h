#pragma once
// Verifies bearer tokens from an identity provider (OIDC JWTs: auth/jwt_verifier.h), for
// auth::Authenticator. Implementations are thread-safe: verify() runs on the HTTP threads.
#include <chrono>
#include <string_view>

#include "auth/identity.h"
#include "util/error.h"

namespace chatbot::auth {

class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  // The token's identity, or Error{kUnauthenticated, ...} saying what is wrong with it.
  virtual Result<Identity> verify(std::string_view token,
                                  std::chrono::system_clock::time_point now) const = 0;
};

}  // namespace chatbot::auth
