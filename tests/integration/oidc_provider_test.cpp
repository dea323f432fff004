// JwtVerifier against a real OIDC provider: the mock one of tests/oidc/mock_provider.mjs (on
// oauth2-mock-server), started per test on a free loopback port. Tokens come from its /token
// endpoint over HTTP and keys from its /jwks through UrlJwksSource, so an independent JOSE
// implementation (the `jose` package) signs what ours verifies. Needs node and the package
// (scripts/setup.sh --test); without them every test fails and says so.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "auth/jwt_verifier.h"
#include "mock_oidc_provider.h"
#include "net/http_client.h"
#include "node_process.h"
#include "util/base64.h"

namespace chatbot {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;
using nlohmann::json;

// The kid in a token's header.
std::string kidOf(const std::string& token) {
  return json::parse(util::base64UrlDecode(token.substr(0, token.find('.'))).value()).at("kid");
}

class OidcProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = testing::MockOidcProvider::missingPrerequisite();
    if (!missing.empty()) FAIL() << missing;
  }

  void start(const std::vector<std::string>& args = {}) {
    provider_ = std::make_unique<testing::MockOidcProvider>(args);
  }

  auth::OidcOptions options() const {
    auth::OidcOptions options;
    options.issuer = provider_->issuer();
    options.audience = "chatbot";
    options.roles_claim = "groups";
    options.agent_groups = {"it-support"};
    options.admin_groups = {"it-admins"};
    return options;
  }

  std::unique_ptr<auth::JwtVerifier> verifier(const std::string& jwks_url) const {
    return std::make_unique<auth::JwtVerifier>(options(),
                                               std::make_unique<auth::UrlJwksSource>(jwks_url));
  }
  std::unique_ptr<auth::JwtVerifier> verifier() const { return verifier(provider_->jwksUrl()); }

  std::unique_ptr<testing::MockOidcProvider> provider_;
};

TEST_F(OidcProviderTest, AcceptsItsTokenWithTheRightIdentityAndRole) {
  start();
  const auto checker = verifier();
  const std::string agent_token = provider_->token({{"aud", "chatbot"},
                                                    {"sub", "alice"},
                                                    {"name", "Alice Example"},
                                                    {"groups", {"staff", "it-support"}}});
  const Result<auth::Identity> agent = checker->verify(agent_token, Clock::now());
  ASSERT_TRUE(agent.ok()) << agent.error().detail;
  EXPECT_EQ(agent->kind, auth::IdentityKind::kOidc);
  EXPECT_EQ(agent->subject, "oidc:alice");
  EXPECT_EQ(agent->display_name, "Alice Example");
  EXPECT_EQ(agent->groups, (std::vector<std::string>{"staff", "it-support"}));
  EXPECT_EQ(agent->role, auth::Role::kAgent);

  const std::string admin_token = provider_->token(
      {{"aud", {"account", "chatbot"}}, {"sub", "root"}, {"groups", {"it-admins"}}});
  const Result<auth::Identity> admin = checker->verify(admin_token, Clock::now());
  ASSERT_TRUE(admin.ok()) << admin.error().detail;
  EXPECT_EQ(admin->display_name, "root");
  EXPECT_EQ(admin->role, auth::Role::kAdmin);
}

TEST_F(OidcProviderTest, AcceptsItsEs256Token) {
  start({"--es256"});
  provider_->post("/test/signing-key?alg=ES256");
  const std::string token = provider_->token({{"aud", "chatbot"}, {"sub", "bob"}});
  const Result<auth::Identity> identity = verifier()->verify(token, Clock::now());
  ASSERT_TRUE(identity.ok()) << identity.error().detail;
  EXPECT_EQ(identity->subject, "oidc:bob");
  EXPECT_EQ(identity->role, auth::Role::kEmployee);
}

TEST_F(OidcProviderTest, RejectsItsTokenForAnotherAudienceOrPastItsExpiry) {
  start();
  const auto checker = verifier();
  const Result<auth::Identity> other_audience = checker->verify(
      provider_->token({{"aud", "another-service"}, {"sub", "alice"}}), Clock::now());
  ASSERT_FALSE(other_audience.ok());
  EXPECT_EQ(other_audience.error().code, "invalid_token");
  EXPECT_EQ(other_audience.error().detail, "The token was not issued for this service (audience).");

  const Result<auth::Identity> expired = checker->verify(
      provider_->token({{"aud", "chatbot"}, {"sub", "alice"}, {"exp_in", -120}}), Clock::now());
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().detail, "The token has expired.");
}

TEST_F(OidcProviderTest, PicksUpTheProvidersKeyRotationThroughTheUnknownKid) {
  start();
  const auto checker = verifier();
  const Clock::time_point now = Clock::now();
  const std::string before = provider_->token({{"aud", "chatbot"}, {"sub", "alice"}});
  ASSERT_TRUE(checker->verify(before, now).ok());

  const std::string new_kid = provider_->post("/test/rotate?alg=RS256").at("kid");
  const std::string after = provider_->token({{"aud", "chatbot"}, {"sub", "alice"}});
  ASSERT_EQ(kidOf(after), new_kid);
  ASSERT_NE(kidOf(before), new_kid);
  // Within min_refresh_interval (30 s) of the first fetch the new kid is not looked up yet...
  const Result<auth::Identity> too_soon = checker->verify(after, now + 1s);
  ASSERT_FALSE(too_soon.ok());
  EXPECT_EQ(too_soon.error().detail, "The token's signing key is unknown.");
  // ... after it, the unknown kid fetches the provider's keys again.
  const Result<auth::Identity> rotated = checker->verify(after, now + 31s);
  ASSERT_TRUE(rotated.ok()) << rotated.error().detail;
  EXPECT_TRUE(checker->verify(before, now + 32s).ok()) << "the old key is still published";
}

TEST_F(OidcProviderTest, UnreachableKeysAskTheClientToRetryShortly) {
  start();
  const std::string token = provider_->token({{"aud", "chatbot"}, {"sub", "alice"}});
  const auto expectRetryLater = [&](const Result<auth::Identity>& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::kUnauthenticated);
    EXPECT_EQ(result.error().detail,
              "The identity provider's keys could not be fetched; try again shortly.");
    EXPECT_EQ(result.error().retry_after_seconds, 5u);
  };
  expectRetryLater(verifier(provider_->issuer() + "/no-such-path")->verify(token, Clock::now()));
  const auto checker = verifier();  // made while the provider runs: options() reads its issuer
  provider_.reset();                // the provider goes away: connection refused
  expectRetryLater(checker->verify(token, Clock::now()));
}

}  // namespace
}  // namespace chatbot
