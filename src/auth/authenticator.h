#pragma once
// Turns the credential a request presents (the bearer token or X-API-Key value) into an
// Identity: one of our API keys (auth::KeyRing), the bootstrap ADMIN_API_KEY, or an OIDC token
// (a TokenVerifier; see jwt_verifier.h). Which one is decided by the credential's shape, so a
// key is never sent to the identity provider and a token never looked up as a key.
//
// Thread-safety: authenticate() is called concurrently from the HTTP threads; the parts are
// thread-safe and immutable after construction.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "auth/identity.h"
#include "auth/key_ring.h"
#include "auth/token_verifier.h"
#include "util/error.h"

namespace chatbot::auth {

class Authenticator {
 public:
  // Every part may be absent: `keys` without a database, `bootstrap_admin_key` when
  // ADMIN_API_KEY is unset, `tokens` without OIDC settings.
  Authenticator(std::shared_ptr<KeyRing> keys, const std::string& bootstrap_admin_key,
                std::shared_ptr<const TokenVerifier> tokens);

  Result<Identity> authenticate(std::string_view credential,
                                std::chrono::system_clock::time_point now) const;

  bool acceptsTokens() const noexcept { return tokens_ != nullptr; }
  bool acceptsKeys() const noexcept { return keys_ != nullptr || !bootstrap_hash_.empty(); }

  // The identity ADMIN_API_KEY stands for.
  static Identity bootstrapAdmin();

 private:
  std::shared_ptr<KeyRing> keys_;
  std::string bootstrap_hash_;  // SHA-256 of ADMIN_API_KEY; empty when unset
  std::shared_ptr<const TokenVerifier> tokens_;
};

}  // namespace chatbot::auth
