// JwtVerifier (auth/jwt_verifier.h): tokens signed in the test with real RSA 2048 and EC P-256
// keys, the JWKS served by a test double of the JwksSource that counts fetches. The crypto, the
// parsing and the key cache are the real ones.
#include "auth/jwt_verifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "unit/jwt_test_keys.h"

namespace chatbot::auth {
namespace {

using chatbot::testing::hs256Token;
using chatbot::testing::jwksOf;
using chatbot::testing::makeEcKey;
using chatbot::testing::makeRsaKey;
using chatbot::testing::segment;
using chatbot::testing::signToken;
using chatbot::testing::signWithHeader;
using chatbot::testing::TestKey;
using nlohmann::json;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;
using namespace std::chrono_literals;

// What the fake provider serves, shared by the test and the source the verifier owns.
struct ProviderState {
  std::mutex mutex;
  std::condition_variable changed;
  std::string document;
  bool down = false;  // fetch() fails
  bool hold = false;  // fetch() waits until this turns false
  int fetches = 0;
  int held = 0;  // fetches waiting on `hold` now

  void set(std::string new_document) {
    const std::lock_guard lock(mutex);
    document = std::move(new_document);
  }
  void setDown(bool value) {
    const std::lock_guard lock(mutex);
    down = value;
  }
  int fetchCount() {
    const std::lock_guard lock(mutex);
    return fetches;
  }
};

class FakeJwksSource : public JwksSource {
 public:
  explicit FakeJwksSource(std::shared_ptr<ProviderState> state) : state_(std::move(state)) {}

  Result<std::string> fetch() override {
    std::unique_lock lock(state_->mutex);
    ++state_->fetches;
    ++state_->held;
    state_->changed.notify_all();
    state_->changed.wait(lock, [this] { return !state_->hold; });
    --state_->held;
    if (state_->down) return Error{ErrorKind::kNotReady, "down", "connection refused"};
    return state_->document;
  }

 private:
  std::shared_ptr<ProviderState> state_;
};

const TestKey& rsaKey() {
  static const TestKey key = makeRsaKey("rsa-1");
  return key;
}
const TestKey& ecKey() {
  static const TestKey key = makeEcKey("ec-1");
  return key;
}
const TestKey& rotatedKey() {  // the provider's next key
  static const TestKey key = makeRsaKey("rsa-2");
  return key;
}
const TestKey& attackerKey() {  // someone else's key, claiming the provider's kid
  static const TestKey key = makeRsaKey("rsa-1");
  return key;
}

constexpr const char* kIssuer = "https://idp.example.com/realms/corp";
constexpr const char* kAudience = "chatbot";

class JwtVerifierTest : public ::testing::Test {
 protected:
  JwtVerifierTest() { provider_->set(jwksOf({&rsaKey(), &ecKey()})); }

  OidcOptions& options() { return options_; }
  JwtVerifier& verifier() {
    if (!verifier_) {
      verifier_ =
          std::make_unique<JwtVerifier>(options_, std::make_unique<FakeJwksSource>(provider_));
    }
    return *verifier_;
  }
  Result<Identity> verify(const std::string& token, seconds later = 0s) {
    return verifier().verify(token, now_ + later);
  }

  static std::int64_t at(Clock::time_point when) { return Clock::to_time_t(when); }
  // Claims a provider would issue for alice, valid for five minutes from now_.
  json claims() const {
    return {{"iss", kIssuer},          {"aud", kAudience}, {"sub", "alice"},
            {"name", "Alice Example"}, {"iat", at(now_)},  {"exp", at(now_ + 300s)},
            {"groups", {"staff"}}};
  }
  // Asserts that `token` is refused with a detail containing `detail`.
  void expectRefused(const std::string& token, const std::string& detail, seconds later = 0s) {
    const Result<Identity> result = verify(token, later);
    ASSERT_FALSE(result.ok()) << "accepted; expected: " << detail;
    EXPECT_EQ(result.error().kind, ErrorKind::kUnauthenticated);
    EXPECT_EQ(result.error().code, "invalid_token");
    EXPECT_NE(result.error().detail.find(detail), std::string::npos) << result.error().detail;
    if (!token.empty()) {
      EXPECT_EQ(result.error().detail.find(token), std::string::npos) << "the detail quotes it";
    }
  }

  const Clock::time_point now_ = Clock::from_time_t(1'900'000'000);
  std::shared_ptr<ProviderState> provider_ = std::make_shared<ProviderState>();
  OidcOptions options_{.issuer = kIssuer,
                       .audience = kAudience,
                       .clock_skew = 60s,
                       .roles_claim = "groups",
                       .agent_groups = {"it-support"},
                       .admin_groups = {"it-admins"},
                       .min_refresh_interval = 30s};
  std::unique_ptr<JwtVerifier> verifier_;
};

// --- valid tokens ---------------------------------------------------------------------------

TEST_F(JwtVerifierTest, AcceptsValidRs256Token) {
  const Result<Identity> identity = verify(signToken(rsaKey(), claims()));
  ASSERT_TRUE(identity.ok()) << identity.error().detail;
  EXPECT_EQ(identity->kind, IdentityKind::kOidc);
  EXPECT_EQ(identity->subject, "oidc:alice");
  EXPECT_EQ(identity->display_name, "Alice Example");
  EXPECT_EQ(identity->groups, std::vector<std::string>{"staff"});
  EXPECT_EQ(identity->role, Role::kEmployee);
}

TEST_F(JwtVerifierTest, AcceptsValidEs256Token) {
  const Result<Identity> identity = verify(signToken(ecKey(), claims()));
  ASSERT_TRUE(identity.ok()) << identity.error().detail;
  EXPECT_EQ(identity->subject, "oidc:alice");
}

// --- time claims ----------------------------------------------------------------------------

TEST_F(JwtVerifierTest, RejectsExpiredToken) {
  json expired = claims();
  expired["exp"] = at(now_ - 61s);
  expectRefused(signToken(rsaKey(), expired), "The token has expired.");
  expired["exp"] = at(now_ - 60s);  // exactly at the end of the tolerance: expired
  expectRefused(signToken(rsaKey(), expired), "The token has expired.");
}

TEST_F(JwtVerifierTest, AcceptsExpiredTokenWithinClockSkew) {
  json recently_expired = claims();
  recently_expired["exp"] = at(now_ - 59s);
  EXPECT_TRUE(verify(signToken(rsaKey(), recently_expired)).ok());
}

TEST_F(JwtVerifierTest, RejectsTokenNotYetValid) {
  json early = claims();
  early["nbf"] = at(now_ + 61s);
  expectRefused(signToken(rsaKey(), early), "The token is not valid yet.");
}

TEST_F(JwtVerifierTest, AcceptsNotYetValidTokenWithinClockSkew) {
  json early = claims();
  early["nbf"] = at(now_ + 60s);
  EXPECT_TRUE(verify(signToken(rsaKey(), early)).ok());
  early["nbf"] = static_cast<double>(at(now_)) + 0.5;  // NumericDate may be fractional
  EXPECT_TRUE(verify(signToken(rsaKey(), early)).ok());
}

TEST_F(JwtVerifierTest, RejectsTokenWithoutExpiry) {
  json no_exp = claims();
  no_exp.erase("exp");
  expectRefused(signToken(rsaKey(), no_exp), "expiry");
  no_exp["exp"] = "tomorrow";
  expectRefused(signToken(rsaKey(), no_exp), "expiry");
}

// --- issuer, audience, subject --------------------------------------------------------------

TEST_F(JwtVerifierTest, RejectsWrongIssuer) {
  json other = claims();
  other["iss"] = "https://evil.example.com/realms/corp";
  expectRefused(signToken(rsaKey(), other), "(issuer)");
  other["iss"] = std::string(kIssuer) + "/";  // compared exactly
  expectRefused(signToken(rsaKey(), other), "(issuer)");
  other.erase("iss");
  expectRefused(signToken(rsaKey(), other), "(issuer)");
}

TEST_F(JwtVerifierTest, RejectsWrongAudience) {
  json other = claims();
  other["aud"] = "another-service";
  expectRefused(signToken(rsaKey(), other),
                "The token was not issued for this service (audience).");
  other.erase("aud");
  expectRefused(signToken(rsaKey(), other), "(audience)");
}

TEST_F(JwtVerifierTest, AcceptsAudienceArrayThatNamesTheService) {
  json several = claims();
  several["aud"] = {"account", kAudience};
  EXPECT_TRUE(verify(signToken(rsaKey(), several)).ok());
  several["aud"] = {"account", "another-service"};
  expectRefused(signToken(rsaKey(), several), "(audience)");
}

TEST_F(JwtVerifierTest, RejectsTokenWithoutSubject) {
  json anonymous = claims();
  anonymous["sub"] = "";
  expectRefused(signToken(rsaKey(), anonymous), "subject");
  anonymous.erase("sub");
  expectRefused(signToken(rsaKey(), anonymous), "subject");
}

// --- signatures and algorithms --------------------------------------------------------------

TEST_F(JwtVerifierTest, RejectsSignatureOfAnotherKeyWithTheSameKid) {
  expectRefused(signToken(attackerKey(), claims()), "The token's signature does not verify.");
}

TEST_F(JwtVerifierTest, RejectsTamperedPayload) {
  const std::string token = signToken(rsaKey(), claims());
  json promoted = claims();
  promoted["groups"] = {"it-admins"};
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::string tampered =
      token.substr(0, first + 1) + segment(promoted) + token.substr(second);
  expectRefused(tampered, "The token's signature does not verify.");
}

TEST_F(JwtVerifierTest, RejectsUnsignedAlgNoneToken) {
  const std::string unsigned_token =
      segment({{"alg", "none"}, {"typ", "JWT"}}) + "." + segment(claims()) + ".";
  expectRefused(unsigned_token, "algorithm is not accepted");
  const std::string with_kid =
      signWithHeader(rsaKey(), {{"alg", "none"}, {"kid", "rsa-1"}}, claims());
  expectRefused(with_kid, "algorithm is not accepted");
  EXPECT_EQ(provider_->fetchCount(), 0) << "refused before any key was looked at";
}

TEST_F(JwtVerifierTest, RejectsHs256KeyedWithThePublicKey) {
  // The classic confusion: HMAC keyed with bytes the attacker knows (the public key), hoping the
  // verifier feeds its RSA key to HMAC because the header says so.
  const json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "rsa-1"}};
  expectRefused(hs256Token(header, claims(), rsaKey().publicPem()), "algorithm is not accepted");
  expectRefused(hs256Token(header, claims(), rsaKey().jwk().dump()), "algorithm is not accepted");
}

TEST_F(JwtVerifierTest, RejectsAlgorithmsOtherThanRs256AndEs256) {
  for (const char* alg :
       {"RS384", "RS512", "PS256", "ES384", "ES512", "HS256", "EdDSA", "rs256", "RS256 ", ""}) {
    expectRefused(signWithHeader(rsaKey(), {{"alg", alg}, {"kid", "rsa-1"}}, claims()),
                  "algorithm is not accepted");
  }
}

TEST_F(JwtVerifierTest, RejectsKeyOfTheWrongTypeForTheAlgorithm) {
  // ES256 in the header, the RSA key's kid, signed with an EC key: the key must fit the alg.
  const std::string token = signWithHeader(ecKey(), {{"alg", "ES256"}, {"kid", "rsa-1"}}, claims());
  expectRefused(token, "does not fit its algorithm");
}

TEST_F(JwtVerifierTest, RejectsEs256SignatureInDerForm) {
  const std::string input = segment({{"alg", "ES256"}, {"kid", "ec-1"}}) + "." + segment(claims());
  const std::string der_token = input + "." + util::base64UrlEncode(ecKey().sign(input, true));
  expectRefused(der_token, "The token's signature does not verify.");
}

TEST_F(JwtVerifierTest, RejectsCriticalHeaderExtensions) {
  const json header = {{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", {"b64"}}, {"b64", false}};
  expectRefused(signWithHeader(rsaKey(), header, claims()), "header extensions");
}

// --- key selection and the key cache ---------------------------------------------------------

TEST_F(JwtVerifierTest, UsesTheOnlyKeyOfTheTypeWhenTheTokenHasNoKid) {
  EXPECT_TRUE(verify(signWithHeader(rsaKey(), {{"alg", "RS256"}}, claims())).ok());
  EXPECT_TRUE(verify(signWithHeader(ecKey(), {{"alg", "ES256"}}, claims())).ok());
}

TEST_F(JwtVerifierTest, RefusesTokenWithoutKidWhenSeveralKeysCouldFit) {
  provider_->set(jwksOf({&rsaKey(), &rotatedKey()}));
  expectRefused(signWithHeader(rsaKey(), {{"alg", "RS256"}}, claims()),
                "The token's signing key is unknown.");
}

TEST_F(JwtVerifierTest, FetchesKeysOnFirstUseAndCachesThem) {
  verifier();
  EXPECT_EQ(provider_->fetchCount(), 0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(verify(signToken(rsaKey(), claims())).ok());
    EXPECT_TRUE(verify(signToken(ecKey(), claims())).ok());
  }
  EXPECT_EQ(provider_->fetchCount(), 1);
}

TEST_F(JwtVerifierTest, UnknownKidRefreshesAndPicksUpARotatedKey) {
  provider_->set(jwksOf({&rsaKey()}));
  ASSERT_TRUE(verify(signToken(rsaKey(), claims())).ok());
  provider_->set(jwksOf({&rsaKey(), &rotatedKey()}));  // the provider rotates
  const Result<Identity> rotated = verify(signToken(rotatedKey(), claims()), 31s);
  ASSERT_TRUE(rotated.ok()) << rotated.error().detail;
  EXPECT_EQ(provider_->fetchCount(), 2);
  EXPECT_TRUE(verify(signToken(rsaKey(), claims()), 32s).ok());
  EXPECT_TRUE(verify(signToken(rotatedKey(), claims()), 33s).ok());
  EXPECT_EQ(provider_->fetchCount(), 2);
}

TEST_F(JwtVerifierTest, RefreshForUnknownKidsIsRateLimited) {
  ASSERT_TRUE(verify(signToken(rsaKey(), claims())).ok());
  ASSERT_EQ(provider_->fetchCount(), 1);
  const auto forged = [&](int i) {
    return signWithHeader(attackerKey(), {{"alg", "RS256"}, {"kid", "forged-" + std::to_string(i)}},
                          claims());
  };
  for (int i = 0; i < 20; ++i) expectRefused(forged(i), "The token's signing key is unknown.", 10s);
  EXPECT_EQ(provider_->fetchCount(), 1) << "within min_refresh_interval of the first fetch";
  for (int i = 0; i < 20; ++i) expectRefused(forged(i), "signing key is unknown", 31s);
  EXPECT_EQ(provider_->fetchCount(), 2);
  expectRefused(forged(99), "signing key is unknown", 60s);
  EXPECT_EQ(provider_->fetchCount(), 2);
  expectRefused(forged(99), "signing key is unknown", 61s);
  EXPECT_EQ(provider_->fetchCount(), 3);
}

TEST_F(JwtVerifierTest, FailedRefreshKeepsTheKeysItHad) {
  ASSERT_TRUE(verify(signToken(rsaKey(), claims())).ok());
  provider_->setDown(true);
  const Result<Identity> unknown = verify(signToken(rotatedKey(), claims()), 31s);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().detail.find("could not be fetched"), std::string::npos);
  EXPECT_EQ(provider_->fetchCount(), 2);
  EXPECT_TRUE(verify(signToken(rsaKey(), claims()), 32s).ok());
  EXPECT_TRUE(verify(signToken(ecKey(), claims()), 32s).ok());
}

TEST_F(JwtVerifierTest, UnusableKeySetKeepsTheKeysItHad) {
  ASSERT_TRUE(verify(signToken(rsaKey(), claims())).ok());
  provider_->set(R"({"keys": [{"kty": "oct", "kid": "x", "k": "c2VjcmV0"}]})");
  EXPECT_FALSE(verify(signToken(rotatedKey(), claims()), 31s).ok());
  EXPECT_EQ(provider_->fetchCount(), 2);
  EXPECT_TRUE(verify(signToken(rsaKey(), claims()), 32s).ok());
}

TEST_F(JwtVerifierTest, UnreachableProviderAsksToRetryShortly) {
  provider_->setDown(true);
  const Result<Identity> first = verify(signToken(rsaKey(), claims()));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, ErrorKind::kUnauthenticated);
  EXPECT_EQ(first.error().code, "invalid_token");
  EXPECT_EQ(first.error().detail,
            "The identity provider's keys could not be fetched; try again shortly.");
  EXPECT_EQ(first.error().retry_after_seconds, 5u);
  EXPECT_FALSE(verify(signToken(rsaKey(), claims()), 4s).ok());
  EXPECT_EQ(provider_->fetchCount(), 1) << "a failed first fetch is retried after 5 s, not at once";
  provider_->setDown(false);
  EXPECT_TRUE(verify(signToken(rsaKey(), claims()), 5s).ok());
  EXPECT_EQ(provider_->fetchCount(), 2);
}

// --- malformed tokens -----------------------------------------------------------------------

TEST_F(JwtVerifierTest, RejectsMalformedTokens) {
  const std::string good = signToken(rsaKey(), claims());
  const std::string header = good.substr(0, good.find('.'));
  const std::string rest = good.substr(good.find('.'));
  const std::vector<std::string> malformed = {
      "",
      "abc",
      "a.b",
      good + ".extra",
      good + ".extra.more",  // five segments: a JWE
      rest,                  // no header
      header + ".." + "c2ln",
      "!!!!" + rest,                                                    // header not base64url
      util::base64UrlEncode("not json") + rest,                         // header not JSON
      util::base64UrlEncode("[\"RS256\"]") + rest,                      // header not an object
      header + "." + util::base64UrlEncode("{\"sub\":") + ".c2ln",      // payload not JSON
      header + "." + util::base64UrlEncode("42") + ".c2ln",             // payload not an object
      good.substr(0, good.rfind('.')) + ".sig+nature/",                 // signature not base64url
      good + "=",                                                       // padded
      segment({{"alg", 256}}) + rest,                                   // alg not a string
      segment({{"alg", "RS256"}, {"kid", 7}}) + rest,                   // kid not a string
      std::string(70 * 1024, 'a') + "." + std::string(10, 'b') + ".c",  // too long
  };
  for (const std::string& token : malformed) {
    SCOPED_TRACE(token.substr(0, 80));
    expectRefused(token, "Malformed token.");
  }
  EXPECT_EQ(provider_->fetchCount(), 0);
}

// --- concurrency ----------------------------------------------------------------------------

TEST_F(JwtVerifierTest, ConcurrentVerifiesShareOneFetch) {
  const std::string rsa_token = signToken(rsaKey(), claims());
  const std::string ec_token = signToken(ecKey(), claims());
  JwtVerifier& shared = verifier();
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (shared.verify(t % 2 == 0 ? rsa_token : ec_token, now_).ok()) ++accepted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 8 * 25);
  EXPECT_EQ(provider_->fetchCount(), 1);
}

TEST_F(JwtVerifierTest, KnownKidsAreNotHeldUpByAFetchInProgress) {
  ASSERT_TRUE(verify(signToken(rsaKey(), claims())).ok());
  {
    const std::lock_guard lock(provider_->mutex);
    provider_->document = jwksOf({&rsaKey(), &ecKey(), &rotatedKey()});
    provider_->hold = true;
  }
  const std::string rotated = signToken(rotatedKey(), claims());
  std::future<Result<Identity>> refreshing;
  std::future<Result<Identity>> waiting;
  std::future<Result<Identity>> known;
  const auto release = [&] {
    {
      const std::lock_guard lock(provider_->mutex);
      provider_->hold = false;
    }
    provider_->changed.notify_all();
  };
  // Declared after the futures, so it is destroyed first: a failed assertion must not leave a
  // future's destructor waiting for a fetch that is never released.
  struct ReleaseOnExit {
    std::function<void()> release;
    ~ReleaseOnExit() { release(); }
  } const release_on_exit{release};

  refreshing = std::async(std::launch::async, [&] { return verify(rotated, 31s); });
  {
    std::unique_lock lock(provider_->mutex);
    ASSERT_TRUE(provider_->changed.wait_for(lock, 10s, [&] { return provider_->held == 1; }));
  }
  // A second token with the new kid waits for the same fetch instead of starting another.
  waiting = std::async(std::launch::async, [&] { return verify(rotated, 31s); });
  known = std::async(std::launch::async, [&] { return verify(signToken(ecKey(), claims())); });
  ASSERT_EQ(known.wait_for(10s), std::future_status::ready) << "a known kid waited for the fetch";
  EXPECT_TRUE(known.get().ok());
  release();
  EXPECT_TRUE(refreshing.get().ok());
  EXPECT_TRUE(waiting.get().ok());
  EXPECT_EQ(provider_->fetchCount(), 2);
}

}  // namespace
}  // namespace chatbot::auth
