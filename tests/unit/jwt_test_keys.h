#pragma once
// Test support for the JWKS and JWT tests: real key pairs made by OpenSSL (RSA 2048, EC P-256),
// their public JWKs, and tokens signed with them, so every test runs the real crypto.
// Header-only because tests/CMakeLists.txt builds unit/*_test.cpp only.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwks.h"
#include "util/base64.h"

namespace chatbot::testing {

using nlohmann::json;

struct BignumFree {
  void operator()(BIGNUM* number) const { BN_free(number); }
};
using TestBignum = std::unique_ptr<BIGNUM, BignumFree>;

// A private key with its kid. Sharing one between threads is fine: signing does not modify it.
struct TestKey {
  std::string kid;
  bool ec = false;
  auth::EvpPkeyPtr key;

  std::string alg() const { return ec ? "ES256" : "RS256"; }

  // A key parameter as big-endian bytes; `width` pads to a fixed size (EC coordinates).
  std::string bignumParam(const char* name, int width = 0) const {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), name, &raw) != 1) throw std::runtime_error(name);
    const TestBignum number(raw);
    const int size = width > 0 ? width : BN_num_bytes(number.get());
    std::string bytes(static_cast<std::size_t>(size), '\0');
    BN_bn2binpad(number.get(), reinterpret_cast<unsigned char*>(bytes.data()), size);
    return bytes;
  }

  // The public JWK, as a provider publishes it.
  json jwk() const {
    if (ec) {
      return {{"kty", "EC"},
              {"crv", "P-256"},
              {"kid", kid},
              {"use", "sig"},
              {"alg", "ES256"},
              {"x", util::base64UrlEncode(bignumParam(OSSL_PKEY_PARAM_EC_PUB_X, 32))},
              {"y", util::base64UrlEncode(bignumParam(OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
    }
    return {{"kty", "RSA"},
            {"kid", kid},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", util::base64UrlEncode(bignumParam(OSSL_PKEY_PARAM_RSA_N))},
            {"e", util::base64UrlEncode(bignumParam(OSSL_PKEY_PARAM_RSA_E))}};
  }

  // The public key as PEM (SubjectPublicKeyInfo): what an HS256 confusion attack keys HMAC with.
  std::string publicPem() const {
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), key.get());
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  }

  // An RS256 signature, or an ES256 one as JOSE writes it (r||s, 32 bytes each) unless `der`.
  std::string sign(std::string_view input, bool der = false) const {
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                      &EVP_MD_CTX_free);
    std::size_t size = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, data, input.size()) != 1) {
      throw std::runtime_error("EVP_DigestSign");
    }
    std::string signature(size, '\0');
    auto* out = reinterpret_cast<unsigned char*>(signature.data());
    if (EVP_DigestSign(ctx.get(), out, &size, data, input.size()) != 1) {
      throw std::runtime_error("EVP_DigestSign");
    }
    signature.resize(size);
    return ec && !der ? derToRaw(signature) : signature;
  }

  static std::string derToRaw(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    const std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(raw.data()) + 32,
                 32);
    return raw;
  }
};

inline TestKey makeRsaKey(std::string kid, unsigned bits = 2048) {
  return {std::move(kid), false, auth::EvpPkeyPtr(EVP_RSA_gen(bits))};
}

inline TestKey makeEcKey(std::string kid) {
  return {std::move(kid), true, auth::EvpPkeyPtr(EVP_EC_gen("P-256"))};
}

// A JWKS document with the public halves of `keys`.
inline std::string jwksOf(const std::vector<const TestKey*>& keys) {
  json set = {{"keys", json::array()}};
  for (const TestKey* key : keys) set["keys"].push_back(key->jwk());
  return set.dump();
}

inline std::string segment(const json& value) {
  return util::base64UrlEncode(value.dump());
}

// A compact JWS of `claims` under `header`, signed by `key` (its algorithm, whatever the header
// says: tests that lie in the header do it on purpose).
inline std::string signWithHeader(const TestKey& key, const json& header, const json& claims) {
  const std::string input = segment(header) + "." + segment(claims);
  return input + "." + util::base64UrlEncode(key.sign(input));
}

// A token as a provider issues it: alg and kid of `key` in the header.
inline std::string signToken(const TestKey& key, const json& claims) {
  return signWithHeader(key, {{"alg", key.alg()}, {"typ", "JWT"}, {"kid", key.kid}}, claims);
}

// An HS256 token whose HMAC key is `secret`.
inline std::string hs256Token(const json& header, const json& claims, std::string_view secret) {
  const std::string input = segment(header) + "." + segment(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
  return input + "." + util::base64UrlEncode(std::string(reinterpret_cast<char*>(mac), size));
}

}  // namespace chatbot::testing
