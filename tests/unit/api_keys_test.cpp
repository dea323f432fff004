// API keys: their format, lifetimes, the key service on a real SQLite store, and the key ring
// that checks presented keys (auth/api_keys.h, auth/key_ring.h).
#include "auth/api_keys.h"

#include <gtest/gtest.h>

#include <thread>

#include "auth/key_ring.h"
#include "contracts/store_contract.h"
#include "store/sqlite_store.h"

namespace chatbot::auth {
namespace {

using store::contract::kT0;
using store::contract::ScratchDir;

class ApiKeysTest : public ::testing::Test {
 protected:
  std::shared_ptr<store::SqliteStore> store() {
    if (!store_) store_ = std::make_shared<store::SqliteStore>(scratch_.path() / "keys.db");
    return store_;
  }
  CreatedKey create(const std::string& name, Role role,
                    std::optional<std::chrono::seconds> expires_in = std::nullopt) {
    auto created = KeyService(store()).create({name, role, expires_in}, kT0);
    EXPECT_TRUE(created) << (created ? "" : created.error().detail);
    return created.value();
  }

  ScratchDir scratch_;
  std::shared_ptr<store::SqliteStore> store_;
};

TEST(ApiKeyFormat, ParsesOnlyOurShape) {
  const auto parts = parseApiKey("cbk_abcdefgh1234_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->id, "abcdefgh1234");
  EXPECT_EQ(parts->secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef");
  EXPECT_FALSE(parseApiKey("cbk_abcdefgh1234_short"));
  EXPECT_FALSE(parseApiKey("cbk_ABCDEFGH1234_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"));  // id case
  EXPECT_FALSE(parseApiKey("xyz_abcdefgh1234_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"));
  EXPECT_FALSE(parseApiKey("cbk_abcdefgh1234-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"));
  EXPECT_FALSE(parseApiKey("eyJhbGciOi.eyJzdWIi.c2ln"));
}

TEST(ApiKeyFormat, SecretsMatchTheirHashOnly) {
  const std::string hash = hashKeySecret("s3cret");
  EXPECT_TRUE(secretMatches("s3cret", hash));
  EXPECT_FALSE(secretMatches("s3creT", hash));
  EXPECT_FALSE(secretMatches("s3cret", hash.substr(1)));
}

TEST(ApiKeyLifetime, ParsesUnitsAndRefusesTheRest) {
  EXPECT_EQ(parseLifetime("90d").value(), std::chrono::days(90));
  EXPECT_EQ(parseLifetime("2w").value(), std::chrono::weeks(2));
  EXPECT_EQ(parseLifetime(" 12h ").value(), std::chrono::hours(12));
  EXPECT_EQ(parseLifetime("30m").value(), std::chrono::minutes(30));
  EXPECT_EQ(parseLifetime("3600s").value(), std::chrono::seconds(3600));
  for (const char* bad : {"", "d", "0d", "-1d", "12", "1y", "1.5d", "9999999d"}) {
    EXPECT_FALSE(parseLifetime(bad)) << bad;
  }
}

TEST_F(ApiKeysTest, CreateShowsTheKeyOnceAndStoresOnlyItsHash) {
  const CreatedKey created = create("helpdesk-portal", Role::kAgent, std::chrono::hours(1));
  const auto parts = parseApiKey(created.secret_key);
  ASSERT_TRUE(parts) << created.secret_key;
  EXPECT_EQ(parts->id, created.key.id);
  EXPECT_EQ(created.key.role, Role::kAgent);
  EXPECT_EQ(created.key.expires_ms, kT0 + 3'600'000);
  const auto stored = store()->apiKeys();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].secret_hash, hashKeySecret(parts->secret));
  EXPECT_EQ(created.secret_key.find(stored[0].secret_hash), std::string::npos);
  EXPECT_NE(create("second", Role::kEmployee).secret_key, created.secret_key);
}

TEST_F(ApiKeysTest, NamesAreValidatedAndUniqueWhileActive) {
  const KeyService service(store());
  for (const char* bad : {"", " padded", "tab\there", "semi;colon"}) {
    const auto refused = service.create({bad, Role::kEmployee, std::nullopt}, kT0);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().kind, ErrorKind::kInvalidInput);
  }
  create("jane@example.com", Role::kEmployee);
  const auto taken = service.create({"jane@example.com", Role::kAdmin, std::nullopt}, kT0);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, "key_name_taken");
  ASSERT_TRUE(service.revoke("jane@example.com", kT0 + 1));
  EXPECT_TRUE(service.create({"jane@example.com", Role::kAdmin, std::nullopt}, kT0 + 2));
  const auto missing = service.revoke("nobody", kT0);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "key_not_found");
}

TEST_F(ApiKeysTest, TheRingAcceptsGoodKeysAndRefusesTheRest) {
  const CreatedKey agent = create("portal", Role::kAgent);
  const CreatedKey short_lived = create("temp", Role::kEmployee, std::chrono::seconds(60));
  KeyRing ring(store());
  const auto identity = ring.authenticate(*parseApiKey(agent.secret_key), kT0 + 1);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->kind, IdentityKind::kApiKey);
  EXPECT_EQ(identity->role, Role::kAgent);
  EXPECT_EQ(identity->subject, "key:" + agent.key.id);
  EXPECT_EQ(identity->display_name, "portal");

  KeyParts forged = *parseApiKey(agent.secret_key);
  forged.secret[0] = forged.secret[0] == 'A' ? 'B' : 'A';
  const auto refused = ring.authenticate(forged, kT0 + 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnauthenticated);
  EXPECT_EQ(refused.error().code, "invalid_api_key");

  EXPECT_TRUE(ring.authenticate(*parseApiKey(short_lived.secret_key), kT0 + 59'000));
  const auto expired = ring.authenticate(*parseApiKey(short_lived.secret_key), kT0 + 60'000);
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().detail.find("expired"), std::string::npos);

  ASSERT_TRUE(KeyService(store()).revoke(agent.key.id, kT0 + 2));
  ring.reload();
  const auto revoked = ring.authenticate(*parseApiKey(agent.secret_key), kT0 + 3);
  ASSERT_FALSE(revoked);
  EXPECT_NE(revoked.error().detail.find("revoked"), std::string::npos);
}

// A key created by another process (the CLI) works on its first use: an unknown id reloads the
// ring, but at most once per miss_reload_interval.
TEST_F(ApiKeysTest, TheRingFindsKeysCreatedElsewhereOnFirstUse) {
  KeyRing ring(store(), {std::chrono::hours(1), std::chrono::hours(1)});
  const CreatedKey first = create("first", Role::kEmployee);
  EXPECT_TRUE(ring.authenticate(*parseApiKey(first.secret_key), kT0));
  const CreatedKey second = create("second", Role::kEmployee);
  EXPECT_FALSE(ring.authenticate(*parseApiKey(second.secret_key), kT0));  // within the interval
  ring.reload();
  EXPECT_TRUE(ring.authenticate(*parseApiKey(second.secret_key), kT0));
}

TEST_F(ApiKeysTest, TheRingWritesLastUseBack) {
  const CreatedKey key = create("portal", Role::kEmployee);
  {
    KeyRing ring(store());
    ASSERT_TRUE(ring.authenticate(*parseApiKey(key.secret_key), kT0 + 42));
  }  // the destructor writes uses back
  EXPECT_EQ(store()->apiKeys().at(0).last_used_ms, kT0 + 42);
}

TEST_F(ApiKeysTest, TheRingIsSafeUnderConcurrentUseAndReloads) {
  const CreatedKey key = create("portal", Role::kEmployee);
  KeyRing ring(store(), {std::chrono::milliseconds(1), std::chrono::milliseconds(1)});
  const KeyParts parts = *parseApiKey(key.secret_key);
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (ring.authenticate(parts, kT0 + i)) ++accepted;
        if (i % 50 == 0) ring.reload();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 800);
}

}  // namespace
}  // namespace chatbot::auth
