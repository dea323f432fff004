#pragma once
// A JSON Web Key Set (RFC 7517), as an OIDC provider publishes it at its jwks_uri: the public keys
// that may sign its tokens, imported into OpenSSL 3 (EVP_PKEY_fromdata, no deprecated RSA_*/EC_KEY
// calls). Only what JwtVerifier accepts is kept: RSA keys of 2048 bits or more, and EC keys on
// P-256, meant for signatures.
//
// Ownership and thread-safety: a JwkSet owns its keys (EvpPkeyPtr frees each). It is immutable
// after parse(); OpenSSL 3 lets any number of threads verify with one EVP_PKEY at once as long as
// nobody modifies it, so a set may be shared (JwtVerifier shares it through a shared_ptr to const).
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace chatbot::auth {

// Frees an EVP_PKEY with EVP_PKEY_free.
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

enum class KeyType {
  kRsa,    // kty "RSA": verifies RS256
  kEcP256  // kty "EC", crv "P-256": verifies ES256
};

struct PublicKey {
  std::string kid;
  KeyType type = KeyType::kRsa;
  // The JWK's "alg" when it names one: a token signed with this key must then use exactly that
  // algorithm. Empty when the JWK leaves it open.
  std::string alg;
  EvpPkeyPtr key;  // never null in a parsed set
};

class JwkSet {
 public:
  // Parses a JWKS document. It fails only when the text is not a JSON object with a "keys" array
  // (Error kind kInvalidInput, code "jwks_invalid", detail for the log). Keys this service cannot
  // use are left out, not an error, each with its reason in skipped(): no "kid", a repeated kid,
  // "use" other than "sig", "key_ops" without "verify", a kty other than RSA or EC, a curve other
  // than P-256, malformed key material, an RSA modulus under 2048 bits, a point off the curve.
  static Result<JwkSet> parse(std::string_view json);

  // The key with this kid, or nullptr.
  const PublicKey* find(std::string_view kid) const;
  // For a token without a kid: the one key of `type`; nullptr when there is none or more than one
  // (guessing among several would let the choice of key depend on the set's order).
  const PublicKey* onlyKeyOf(KeyType type) const;

  const std::vector<PublicKey>& keys() const { return keys_; }
  // Why each left-out key was left out ("key 'abc': use is 'enc', not 'sig'"), for the log.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::vector<PublicKey> keys_;
  std::vector<std::string> skipped_;
};

}  // namespace chatbot::auth
