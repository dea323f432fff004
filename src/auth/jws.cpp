#include "auth/jws.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <utility>

#include "util/base64.h"

namespace chatbot::auth {

namespace {

using nlohmann::json;

// Far above any real token (even one with hundreds of groups), far below what would make decoding
// and parsing it expensive.
constexpr std::size_t kMaxTokenBytes = 64 * 1024;
constexpr std::size_t kEs256SignatureBytes = 64;

const char* const kMalformed = "Malformed token.";

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};
struct OpensslDeleter {
  void operator()(unsigned char* bytes) const noexcept { OPENSSL_free(bytes); }
};

// A segment's base64url decoded and parsed as a JSON object; nullopt otherwise.
std::optional<json> jsonSegment(std::string_view segment) {
  const std::optional<std::string> bytes = util::base64UrlDecode(segment);
  if (!bytes) return std::nullopt;
  json value = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

// The header's algorithm, refused unless it is one of the two accepted ones.
Result<JwsAlgorithm> acceptedAlgorithm(const json& header) {
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return invalidToken(kMalformed);
  if (*alg == "RS256") return JwsAlgorithm::kRs256;
  if (*alg == "ES256") return JwsAlgorithm::kEs256;
  return invalidToken("The token's signing algorithm is not accepted (RS256 or ES256 only).");
}

// JOSE's ES256 signature is r||s, 32 bytes each; OpenSSL verifies the DER-encoded ECDSA-Sig-Value.
std::optional<std::string> es256SignatureAsDer(std::string_view raw) {
  if (raw.size() != kEs256SignatureBytes) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  const int half = static_cast<int>(kEs256SignatureBytes / 2);
  BIGNUM* r = BN_bin2bn(bytes, half, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + half, half, nullptr);
  const std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {  // set0 owns r and s on success
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  const std::unique_ptr<unsigned char, OpensslDeleter> owned(der);
  if (length <= 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
}

bool sha256SignatureVerifies(EVP_PKEY* key, std::string_view message, std::string_view signature) {
  const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  // For an RSA key the default padding is PKCS #1 v1.5, which is what RS256 means.
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace

std::string_view toString(JwsAlgorithm algorithm) {
  return algorithm == JwsAlgorithm::kEs256 ? "ES256" : "RS256";
}

KeyType keyTypeFor(JwsAlgorithm algorithm) {
  return algorithm == JwsAlgorithm::kEs256 ? KeyType::kEcP256 : KeyType::kRsa;
}

Error invalidToken(std::string detail) {
  return {ErrorKind::kUnauthenticated, "invalid_token", std::move(detail)};
}

Result<CompactJws> parseCompactJws(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return invalidToken(kMalformed);
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  // Exactly three segments (a JWE has five). An empty signature is looked at after the
  // algorithm, so that an unsigned token ("alg": "none") is refused for what it is.
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != token.npos ||
      first_dot == 0 || second_dot == first_dot + 1) {
    return invalidToken(kMalformed);
  }
  const std::optional<json> header = jsonSegment(token.substr(0, first_dot));
  if (!header) return invalidToken(kMalformed);
  Result<JwsAlgorithm> algorithm = acceptedAlgorithm(*header);
  if (!algorithm) return std::move(algorithm).error();
  // RFC 7515 §4.1.11: a header extension the recipient does not understand must be refused.
  if (header->contains("crit")) {
    return invalidToken("The token requires header extensions this service does not support.");
  }
  std::optional<json> payload =
      jsonSegment(token.substr(first_dot + 1, second_dot - first_dot - 1));
  std::optional<std::string> signature = util::base64UrlDecode(token.substr(second_dot + 1));
  if (!payload || !signature || signature->empty()) return invalidToken(kMalformed);

  CompactJws jws;
  jws.algorithm = algorithm.value();
  if (const auto kid = header->find("kid"); kid != header->end()) {
    if (!kid->is_string()) return invalidToken(kMalformed);
    jws.kid = kid->get<std::string>();
  }
  jws.payload = std::move(*payload);
  jws.signing_input = std::string(token.substr(0, second_dot));
  jws.signature = std::move(*signature);
  return jws;
}

bool signatureVerifies(const CompactJws& jws, const PublicKey& key) {
  if (jws.algorithm == JwsAlgorithm::kRs256) {
    return sha256SignatureVerifies(key.key.get(), jws.signing_input, jws.signature);
  }
  const std::optional<std::string> der = es256SignatureAsDer(jws.signature);
  return der && sha256SignatureVerifies(key.key.get(), jws.signing_input, *der);
}

}  // namespace chatbot::auth
