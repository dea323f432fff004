// AccessStore contract: API keys (create, unique active names, revoke by id or name, last use),
// the audit trail (append, newest-first pages) and the installation's secrets.
#include "contracts/access_store_contract.h"

namespace chatbot::store::contract {
namespace {

NewApiKey newKey(const std::string& id, const std::string& name, EpochMs at,
                 std::optional<EpochMs> expires = std::nullopt) {
  return {id, name, "agent", "hash-of-" + id, at, expires};
}

AuditEntry entry(const std::string& action, EpochMs at, int outcome) {
  AuditEntry e;
  e.at_ms = at;
  e.actor = "key:abc";
  e.actor_name = "portal";
  e.role = "agent";
  e.action = action;
  e.target = "/api/v1/tickets/IT-1";
  e.outcome = outcome;
  e.remote = "10.0.0.1";
  e.request_id = numbered("r-", static_cast<int>(at - kT0));
  return e;
}

TEST_P(AccessStoreContract, KeysRoundTripNewestFirst) {
  EXPECT_EQ(store().createApiKey(newKey("aaa", "first", kT0)), KeyCreation::kCreated);
  EXPECT_EQ(store().createApiKey(newKey("bbb", "second", kT0 + 1, kT0 + kHour)),
            KeyCreation::kCreated);
  const auto keys = store().apiKeys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, "bbb");
  EXPECT_EQ(keys[0].name, "second");
  EXPECT_EQ(keys[0].role, "agent");
  EXPECT_EQ(keys[0].secret_hash, "hash-of-bbb");
  EXPECT_EQ(keys[0].created_ms, kT0 + 1);
  EXPECT_EQ(keys[0].expires_ms, kT0 + kHour);
  EXPECT_FALSE(keys[0].revoked_ms);
  EXPECT_FALSE(keys[1].expires_ms);
  EXPECT_FALSE(keys[1].last_used_ms);
}

TEST_P(AccessStoreContract, ActiveNamesAreUniqueAndFreedByRevoking) {
  store().createApiKey(newKey("aaa", "portal", kT0));
  EXPECT_EQ(store().createApiKey(newKey("bbb", "portal", kT0)), KeyCreation::kNameTaken);
  const auto revoked = store().revokeApiKey("portal", kT0 + 5);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->id, "aaa");
  EXPECT_EQ(revoked->revoked_ms, kT0 + 5);
  EXPECT_EQ(store().createApiKey(newKey("bbb", "portal", kT0 + 6)), KeyCreation::kCreated);
  // By name: the active one; by id: any.
  EXPECT_EQ(store().revokeApiKey("portal", kT0 + 7)->id, "bbb");
  const auto again = store().revokeApiKey("aaa", kT0 + 8);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->revoked_ms, kT0 + 5);  // revoking twice changes nothing
  EXPECT_FALSE(store().revokeApiKey("nobody", kT0));
}

TEST_P(AccessStoreContract, KeyUseOnlyMovesForward) {
  store().createApiKey(newKey("aaa", "portal", kT0));
  store().recordKeyUse({{"aaa", kT0 + 10}, {"unknown", kT0}});
  store().recordKeyUse({{"aaa", kT0 + 5}});
  EXPECT_EQ(store().apiKeys().at(0).last_used_ms, kT0 + 10);
}

TEST_P(AccessStoreContract, AuditPagesNewestFirst) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(entry("PATCH /tickets/{ticket_id}", kT0 + i, 200));
  store().appendAudit(entries);
  store().appendAudit({entry("GET /stats", kT0 + 9, 403)});
  AuditQuery query;
  query.limit = 4;
  const auto first = store().audit(query);
  ASSERT_EQ(first.entries.size(), 4u);
  EXPECT_EQ(first.entries[0].action, "GET /stats");
  EXPECT_EQ(first.entries[0].outcome, 403);
  EXPECT_EQ(first.entries[0].actor, "key:abc");
  EXPECT_EQ(first.entries[0].remote, "10.0.0.1");
  EXPECT_EQ(first.entries[0].request_id, "r-9");
  EXPECT_GT(first.entries[0].id, first.entries[1].id);
  ASSERT_TRUE(first.next_before_id);
  query.before_id = first.next_before_id;
  const auto second = store().audit(query);
  EXPECT_EQ(second.entries.size(), 2u);
  EXPECT_FALSE(second.next_before_id);
  query.limit = 0;
  EXPECT_TRUE(store().audit(query).entries.empty());
}

TEST_P(AccessStoreContract, AServerSecretIsMadeOnceAndKept) {
  EXPECT_EQ(store().serverSecret("ticket_access", "first"), "first");
  EXPECT_EQ(store().serverSecret("ticket_access", "second"), "first");
  EXPECT_EQ(store().serverSecret("other", "x"), "x");
}

}  // namespace
}  // namespace chatbot::store::contract
