#include "auth/authenticator.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "util/hash.h"

namespace chatbot::auth {

namespace {

Error unauthenticated(std::string code, std::string detail) {
  return {ErrorKind::kUnauthenticated, std::move(code), std::move(detail)};
}

// A compact JWS: three base64url parts separated by two dots.
bool looksLikeJwt(std::string_view credential) {
  return std::count(credential.begin(), credential.end(), '.') == 2 &&
         credential.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
             std::string_view::npos;
}

}  // namespace

Authenticator::Authenticator(std::shared_ptr<KeyRing> keys, const std::string& bootstrap_admin_key,
                             std::shared_ptr<const TokenVerifier> tokens)
    : keys_(std::move(keys)), tokens_(std::move(tokens)) {
  if (!bootstrap_admin_key.empty()) bootstrap_hash_ = util::sha256Hex(bootstrap_admin_key);
}

Identity Authenticator::bootstrapAdmin() {
  Identity identity;
  identity.kind = IdentityKind::kBootstrap;
  identity.role = Role::kAdmin;
  identity.subject = "admin:bootstrap";
  identity.display_name = "ADMIN_API_KEY";
  return identity;
}

Result<Identity> Authenticator::authenticate(std::string_view credential,
                                             std::chrono::system_clock::time_point now) const {
  if (!bootstrap_hash_.empty()) {
    // Hashes first: equal lengths, so the comparison's time says nothing about the key.
    const std::string presented = util::sha256Hex(credential);
    if (CRYPTO_memcmp(presented.data(), bootstrap_hash_.data(), presented.size()) == 0) {
      return bootstrapAdmin();
    }
  }
  if (const auto parts = parseApiKey(credential)) {
    if (!keys_) {
      return unauthenticated("invalid_api_key",
                             "API keys need the database, and this server runs without one.");
    }
    const auto epoch_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    return keys_->authenticate(*parts, epoch_ms);
  }
  if (looksLikeJwt(credential)) {
    if (!tokens_) {
      return unauthenticated("invalid_token",
                             "This server does not accept identity-provider tokens (OIDC is not "
                             "configured); use an API key.");
    }
    return tokens_->verify(credential, now);
  }
  return unauthenticated("invalid_credentials",
                         "The credential is neither an API key (cbk_...) nor a token. Send "
                         "'Authorization: Bearer <key or token>' or 'X-API-Key: <key>'.");
}

}  // namespace chatbot::auth
