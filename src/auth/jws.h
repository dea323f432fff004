#pragma once
// The compact JWS serialisation of a JWT (RFC 7515 §7.1): BASE64URL(header) "." BASE64URL(payload)
// "." BASE64URL(signature), split and decoded, and its signature checked with a JWK. Only RS256
// and ES256 are accepted; "none", HMAC and everything else are refused before any key is looked
// at, so a token cannot choose how it is checked (algorithm confusion).
//
// Errors here are what a client may see (the detail never quotes the token): kind
// kUnauthenticated, code "invalid_token". Pure functions; thread-safe.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwks.h"
#include "util/error.h"

namespace chatbot::auth {

enum class JwsAlgorithm {
  kRs256,  // RSASSA-PKCS1-v1_5 with SHA-256
  kEs256,  // ECDSA on P-256 with SHA-256, signature r||s (64 bytes)
};
std::string_view toString(JwsAlgorithm algorithm);  // "RS256", "ES256"
// The key type that can verify `algorithm`.
KeyType keyTypeFor(JwsAlgorithm algorithm);

// The one error shape of a refused token: 401 with `detail` for the client.
Error invalidToken(std::string detail);

struct CompactJws {
  JwsAlgorithm algorithm = JwsAlgorithm::kRs256;
  std::optional<std::string> kid;  // from the header; absent when the header has none
  nlohmann::json payload;          // a JSON object (the claims)
  std::string signing_input;       // the first two segments with their dot: what was signed
  std::string signature;           // decoded bytes
};

// Splits and decodes `token`. Fails with "Malformed token." (not three non-empty base64url
// segments, header or payload not a JSON object), or with the algorithm's error (not RS256 or
// ES256, or a "crit" header this verifier does not understand).
Result<CompactJws> parseCompactJws(std::string_view token);

// Whether `jws.signature` is a valid signature of `jws.signing_input` under `key` with
// `jws.algorithm`. The caller has checked that the key's type fits the algorithm.
bool signatureVerifies(const CompactJws& jws, const PublicKey& key);

}  // namespace chatbot::auth
