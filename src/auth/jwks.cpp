#include "auth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "util/base64.h"

namespace chatbot::auth {

void EvpPkeyDeleter::operator()(EVP_PKEY* key) const noexcept {
  EVP_PKEY_free(key);
}

namespace {

using nlohmann::json;

constexpr int kMinRsaBits = 2048;  // NIST SP 800-131A: shorter RSA keys are not acceptable
constexpr std::size_t kP256CoordinateBytes = 32;

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct BignumDeleter {
  void operator()(BIGNUM* number) const noexcept { BN_free(number); }
};
struct ParamBuilderDeleter {
  void operator()(OSSL_PARAM_BLD* builder) const noexcept { OSSL_PARAM_BLD_free(builder); }
};
struct ParamsDeleter {
  void operator()(OSSL_PARAM* params) const noexcept { OSSL_PARAM_free(params); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumDeleter>;

// Why a key was left out; becomes one line of JwkSet::skipped().
Error unusable(std::string reason) {
  return {ErrorKind::kInvalidInput, "jwk_unusable", std::move(reason)};
}

std::optional<std::string> stringMember(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// A base64url member holding key material ("n", "e", "x", "y"), decoded; nullopt when missing,
// empty or not base64url.
std::optional<std::string> bytesMember(const json& object, const char* name) {
  const std::optional<std::string> text = stringMember(object, name);
  if (!text || text->empty()) return std::nullopt;
  return util::base64UrlDecode(*text);
}

// A public key of `type_name` ("RSA", "EC") from OpenSSL parameters; null when OpenSSL refuses.
EvpPkeyPtr keyFromParams(const char* type_name, OSSL_PARAM* params) {
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

Result<EvpPkeyPtr> rsaKey(const json& jwk) {
  const std::optional<std::string> n = bytesMember(jwk, "n");
  const std::optional<std::string> e = bytesMember(jwk, "e");
  if (!n || !e) return unusable("\"n\" or \"e\" is missing or not base64url");
  const auto bignum = [](const std::string& bytes) {
    return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()), nullptr));
  };
  const BignumPtr modulus = bignum(*n);
  const BignumPtr exponent = bignum(*e);
  const std::unique_ptr<OSSL_PARAM_BLD, ParamBuilderDeleter> builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return unusable("OpenSSL could not hold the RSA parameters");
  }
  const std::unique_ptr<OSSL_PARAM, ParamsDeleter> params(OSSL_PARAM_BLD_to_param(builder.get()));
  EvpPkeyPtr key = params ? keyFromParams("RSA", params.get()) : nullptr;
  if (!key) return unusable("OpenSSL refused the RSA key");
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
    return unusable("the RSA modulus is shorter than " + std::to_string(kMinRsaBits) + " bits");
  }
  return key;
}

Result<EvpPkeyPtr> ecP256Key(const json& jwk) {
  const std::optional<std::string> curve = stringMember(jwk, "crv");
  if (curve != "P-256") return unusable("curve \"" + curve.value_or("") + "\" is not P-256");
  const std::optional<std::string> x = bytesMember(jwk, "x");
  const std::optional<std::string> y = bytesMember(jwk, "y");
  if (!x || !y || x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
    return unusable("\"x\" or \"y\" is not a 32-byte base64url coordinate");
  }
  std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed point
  char group_name[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EvpPkeyPtr key = keyFromParams("EC", params);
  // The import decodes the point and refuses one off the curve; the explicit check keeps that
  // guarantee whatever the provider's import does (an off-curve point is never a real key).
  const PkeyCtxPtr check(key ? EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr) : nullptr);
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return unusable("the EC point is not on P-256");
  }
  return key;
}

// Whether the JWK says what it may be used for, and that is not verifying signatures.
std::optional<std::string> notForSignatures(const json& jwk) {
  if (const auto use = jwk.find("use"); use != jwk.end() && *use != "sig") {
    return "use is " + use->dump() + ", not \"sig\"";
  }
  if (const auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    const bool verifies =
        ops->is_array() && std::find(ops->begin(), ops->end(), json("verify")) != ops->end();
    if (!verifies) return "key_ops does not include \"verify\"";
  }
  return std::nullopt;
}

// The key `jwk` describes, or why it is left out.
Result<PublicKey> publicKey(const json& jwk) {
  if (!jwk.is_object()) return unusable("not a JSON object");
  PublicKey key;
  key.kid = stringMember(jwk, "kid").value_or("");
  if (key.kid.empty()) return unusable("it has no \"kid\"");
  if (std::optional<std::string> why = notForSignatures(jwk)) return unusable(std::move(*why));
  key.alg = stringMember(jwk, "alg").value_or("");
  const std::string kty = stringMember(jwk, "kty").value_or("");
  Result<EvpPkeyPtr> material = unusable("kty \"" + kty + "\" is not supported (RSA or EC only)");
  if (kty == "RSA") {
    key.type = KeyType::kRsa;
    material = rsaKey(jwk);
  } else if (kty == "EC") {
    key.type = KeyType::kEcP256;
    material = ecP256Key(jwk);
  }
  if (!material) return std::move(material).error();
  key.key = std::move(material).value();
  return key;
}

}  // namespace

Result<JwkSet> JwkSet::parse(std::string_view text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("keys") || !document["keys"].is_array()) {
    return Error{ErrorKind::kInvalidInput, "jwks_invalid",
                 "The JWKS document is not a JSON object with a \"keys\" array."};
  }
  JwkSet set;
  std::size_t index = 0;
  for (const json& jwk : document["keys"]) {
    Result<PublicKey> key = publicKey(jwk);
    const std::string kid = jwk.is_object() ? stringMember(jwk, "kid").value_or("") : "";
    const std::string name = kid.empty() ? "key #" + std::to_string(index) : "key '" + kid + "'";
    if (key && set.find(key->kid) != nullptr) key = unusable("its kid is repeated");
    if (key) {
      set.keys_.push_back(std::move(key).value());
    } else {
      set.skipped_.push_back(name + ": " + key.error().detail);
    }
    ++index;
  }
  return set;
}

const PublicKey* JwkSet::find(std::string_view kid) const {
  for (const PublicKey& key : keys_) {
    if (key.kid == kid) return &key;
  }
  return nullptr;
}

const PublicKey* JwkSet::onlyKeyOf(KeyType type) const {
  const PublicKey* found = nullptr;
  for (const PublicKey& key : keys_) {
    if (key.type != type) continue;
    if (found != nullptr) return nullptr;
    found = &key;
  }
  return found;
}

}  // namespace chatbot::auth
