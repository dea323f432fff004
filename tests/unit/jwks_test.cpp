// Parsing a provider's JWKS into OpenSSL public keys (auth/jwks.h), with keys made in the test.
#include "auth/jwks.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/jwt_test_keys.h"

namespace chatbot::auth {
namespace {

using chatbot::testing::makeEcKey;
using chatbot::testing::makeRsaKey;
using chatbot::testing::TestKey;
using nlohmann::json;

const TestKey& rsaKey() {
  static const TestKey key = makeRsaKey("rsa-1");
  return key;
}
const TestKey& ecKey() {
  static const TestKey key = makeEcKey("ec-1");
  return key;
}

JwkSet parseKeys(const json& keys) {
  Result<JwkSet> set = JwkSet::parse(json{{"keys", keys}}.dump());
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().detail);
  return std::move(set).value();
}

// The reasons keys were skipped, joined, for assertions on what was said.
std::string skippedText(const JwkSet& set) {
  std::string text;
  for (const std::string& line : set.skipped()) text += line + "\n";
  return text;
}

TEST(Jwks, ParsesRsaAndP256KeysWithTheirKidsAndAlgorithms) {
  const JwkSet set = parseKeys({rsaKey().jwk(), ecKey().jwk()});
  ASSERT_EQ(set.keys().size(), 2u);
  EXPECT_TRUE(set.skipped().empty()) << skippedText(set);
  ASSERT_NE(set.find("rsa-1"), nullptr);
  EXPECT_EQ(set.find("rsa-1")->type, KeyType::kRsa);
  EXPECT_EQ(set.find("rsa-1")->alg, "RS256");
  EXPECT_EQ(EVP_PKEY_get_bits(set.find("rsa-1")->key.get()), 2048);
  ASSERT_NE(set.find("ec-1"), nullptr);
  EXPECT_EQ(set.find("ec-1")->type, KeyType::kEcP256);
  EXPECT_EQ(set.find("nope"), nullptr);
}

TEST(Jwks, ImportedKeysEqualTheOriginals) {
  const JwkSet set = parseKeys({rsaKey().jwk(), ecKey().jwk()});
  EXPECT_EQ(EVP_PKEY_eq(set.find("rsa-1")->key.get(), rsaKey().key.get()), 1);
  EXPECT_EQ(EVP_PKEY_eq(set.find("ec-1")->key.get(), ecKey().key.get()), 1);
}

TEST(Jwks, SkipsKeysWithoutKidOrNotForSignatures) {
  json no_kid = rsaKey().jwk();
  no_kid.erase("kid");
  json encryption = rsaKey().jwk();
  encryption["kid"] = "enc-1";
  encryption["use"] = "enc";
  json wrap_only = ecKey().jwk();
  wrap_only["kid"] = "wrap-1";
  wrap_only.erase("use");
  wrap_only["key_ops"] = {"wrapKey"};
  json no_use = ecKey().jwk();
  no_use.erase("use");  // "use" is optional: a key without it may sign
  const JwkSet set = parseKeys({no_kid, encryption, wrap_only, no_use});
  ASSERT_EQ(set.keys().size(), 1u);
  EXPECT_EQ(set.keys()[0].kid, "ec-1");
  ASSERT_EQ(set.skipped().size(), 3u) << skippedText(set);
  EXPECT_NE(set.skipped()[0].find("kid"), std::string::npos);
  EXPECT_NE(set.skipped()[1].find("enc-1"), std::string::npos);
  EXPECT_NE(set.skipped()[2].find("key_ops"), std::string::npos);
}

TEST(Jwks, SkipsUnknownKeyTypesWithoutFailing) {
  const json okp = {{"kty", "OKP"},
                    {"crv", "Ed25519"},
                    {"kid", "ed-1"},
                    {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
  const json symmetric = {{"kty", "oct"}, {"kid", "hmac-1"}, {"k", "c2VjcmV0"}};
  const JwkSet set = parseKeys({okp, symmetric, rsaKey().jwk()});
  EXPECT_EQ(set.keys().size(), 1u);
  EXPECT_EQ(set.skipped().size(), 2u) << skippedText(set);
}

TEST(Jwks, SkipsWeakOrMalformedKeyMaterial) {
  static const TestKey short_rsa = makeRsaKey("rsa-1024", 1024);
  json other_curve = ecKey().jwk();
  other_curve["kid"] = "p384";
  other_curve["crv"] = "P-384";
  json off_curve = ecKey().jwk();
  off_curve["kid"] = "off-curve";
  std::string y = *util::base64UrlDecode(off_curve["y"].get<std::string>());
  y.back() = static_cast<char>(y.back() ^ 1);
  off_curve["y"] = util::base64UrlEncode(y);
  json bad_base64 = rsaKey().jwk();
  bad_base64["kid"] = "bad-n";
  bad_base64["n"] = "not base64url!";
  json short_coordinate = ecKey().jwk();
  short_coordinate["kid"] = "short-x";
  short_coordinate["x"] = util::base64UrlEncode("tooshort");
  const JwkSet set =
      parseKeys({short_rsa.jwk(), other_curve, off_curve, bad_base64, short_coordinate});
  EXPECT_TRUE(set.keys().empty());
  const std::string reasons = skippedText(set);
  EXPECT_EQ(set.skipped().size(), 5u) << reasons;
  EXPECT_NE(reasons.find("2048"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("P-384"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("not on P-256"), std::string::npos) << reasons;
}

TEST(Jwks, KeepsTheFirstOfTwoKeysWithOneKid) {
  json second = ecKey().jwk();
  second["kid"] = "rsa-1";
  const JwkSet set = parseKeys({rsaKey().jwk(), second});
  ASSERT_EQ(set.keys().size(), 1u);
  EXPECT_EQ(set.find("rsa-1")->type, KeyType::kRsa);
  EXPECT_NE(skippedText(set).find("repeated"), std::string::npos);
}

TEST(Jwks, OnlyKeyOfNeedsExactlyOneKeyOfTheType) {
  static const TestKey second_rsa = makeRsaKey("rsa-2");
  const JwkSet one_each = parseKeys({rsaKey().jwk(), ecKey().jwk()});
  ASSERT_NE(one_each.onlyKeyOf(KeyType::kRsa), nullptr);
  EXPECT_EQ(one_each.onlyKeyOf(KeyType::kRsa)->kid, "rsa-1");
  EXPECT_EQ(one_each.onlyKeyOf(KeyType::kEcP256)->kid, "ec-1");
  const JwkSet two_rsa = parseKeys({rsaKey().jwk(), second_rsa.jwk()});
  EXPECT_EQ(two_rsa.onlyKeyOf(KeyType::kRsa), nullptr);
  EXPECT_EQ(two_rsa.onlyKeyOf(KeyType::kEcP256), nullptr);
}

TEST(Jwks, RefusesDocumentsThatAreNotAKeySet) {
  for (const std::string text : {"", "not json", "[]", "{}", R"({"keys": {}})", R"({"keys": 3})"}) {
    const Result<JwkSet> set = JwkSet::parse(text);
    ASSERT_FALSE(set.ok()) << text;
    EXPECT_EQ(set.error().code, "jwks_invalid");
  }
  const Result<JwkSet> empty = JwkSet::parse(R"({"keys": []})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->keys().empty());
}

}  // namespace
}  // namespace chatbot::auth
