// Store contract, conversations: sessions and their exchanges, the session policy, expiry,
// deletion and purging, and all-or-nothing appends.
#include "contracts/store_contract.h"

namespace chatbot::store::contract {
namespace {

TEST_P(StoreSessionsContract, AppendCreatesSessionAndRoundTripsExchanges) {
  const SessionPolicy policy{10, kHour};
  Exchange first = exchange("s1", "m1", kT0, {source("kb-1", 0.75), source("kb-2", 0.25)});
  first.escalation_reason = "low confidence";
  first.query = "caf\xC3\xA9 \xF0\x9F\x98\x80 wifi";
  store().appendExchange(first, policy);
  store().appendExchange(exchange("s1", "m2", kT0 + 1000), policy);

  const auto session = store().session("s1", kT0 + 2000);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->id, "s1");
  EXPECT_EQ(session->created_ms, kT0);
  EXPECT_EQ(session->updated_ms, kT0 + 1000);
  EXPECT_EQ(session->expires_ms, kT0 + 1000 + kHour);
  ASSERT_EQ(messageIds(session->exchanges), (std::vector<std::string>{"m1", "m2"}));
  const Exchange& read = session->exchanges[0];
  EXPECT_EQ(read.session_id, "s1");
  EXPECT_EQ(read.created_ms, kT0);
  EXPECT_EQ(read.query, first.query);
  EXPECT_EQ(read.standalone_query, first.standalone_query);
  EXPECT_EQ(read.response, first.response);
  EXPECT_TRUE(read.answered);
  EXPECT_FALSE(session->exchanges[1].answered);
  EXPECT_EQ(read.generator, "extractive");
  EXPECT_EQ(read.escalation_reason, "low confidence");
  ASSERT_EQ(read.sources.size(), 2u);
  EXPECT_EQ(read.sources[0].article_id, "kb-1");
  EXPECT_EQ(read.sources[0].subject, "Subject of kb-1");
  EXPECT_EQ(read.sources[0].category, "network");
  EXPECT_EQ(read.sources[0].url, "https://kb.example/kb-1");
  EXPECT_DOUBLE_EQ(read.sources[0].score, 0.75);
  EXPECT_EQ(read.sources[1].article_id, "kb-2");

  EXPECT_FALSE(store().session("nobody", kT0));
  EXPECT_TRUE(store().recentExchanges("nobody", 5, kT0).exchanges.empty());
}

TEST_P(StoreSessionsContract, AppendKeepsOnlyTheNewestExchangesOfThePolicy) {
  const SessionPolicy policy{3, kHour};
  for (int i = 1; i <= 5; ++i)
    store().appendExchange(exchange("s1", numbered("m", i), kT0 + i), policy);
  const auto session = store().session("s1", kT0 + 10);
  ASSERT_TRUE(session);
  EXPECT_EQ(messageIds(session->exchanges), (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_EQ(messageIds(store().recentExchanges("s1", 2, kT0 + 10).exchanges),
            (std::vector<std::string>{"m4", "m5"}));
  EXPECT_EQ(messageIds(store().recentExchanges("s1", 10, kT0 + 10).exchanges),
            (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_TRUE(store().recentExchanges("s1", 0, kT0 + 10).exchanges.empty());
  EXPECT_EQ(store().stats(0).questions, 5);  // trimmed exchanges still count

  // A smaller policy later trims further; zero keeps nothing but still counts the question.
  store().appendExchange(exchange("s1", "m6", kT0 + 6), {1, kHour});
  EXPECT_EQ(messageIds(store().recentExchanges("s1", 10, kT0 + 10).exchanges),
            (std::vector<std::string>{"m6"}));
  store().appendExchange(exchange("s1", "m7", kT0 + 7), {0, kHour});
  EXPECT_TRUE(store().recentExchanges("s1", 10, kT0 + 10).exchanges.empty());
  EXPECT_EQ(store().stats(0).questions, 7);
}

TEST_P(StoreSessionsContract, ExpiredSessionIsHiddenThenStartsAfresh) {
  const SessionPolicy policy{10, 1000};
  store().appendExchange(exchange("s1", "m1", kT0), policy);
  store().appendExchange(exchange("s1", "m2", kT0 + 500), policy);  // moves expiry to +1500
  EXPECT_TRUE(store().session("s1", kT0 + 1499));
  EXPECT_EQ(store().recentExchanges("s1", 5, kT0 + 1499).exchanges.size(), 2u);
  EXPECT_FALSE(store().session("s1", kT0 + 1500));  // expiry is exclusive
  EXPECT_TRUE(store().recentExchanges("s1", 5, kT0 + 1500).exchanges.empty());

  store().appendExchange(exchange("s1", "m3", kT0 + 5000), policy);
  const auto session = store().session("s1", kT0 + 5000);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->created_ms, kT0 + 5000);
  EXPECT_EQ(session->expires_ms, kT0 + 6000);
  EXPECT_EQ(messageIds(session->exchanges), (std::vector<std::string>{"m3"}));
}

TEST_P(StoreSessionsContract, DuplicateMessageIdFailsAndRollsBackEverything) {
  store().appendExchange(exchange("s1", "m1", kT0), {});
  // Into another, new session: the session it would have created must not survive either.
  EXPECT_THROW(store().appendExchange(exchange("s2", "m1", kT0 + 1), {}), StoreError);
  EXPECT_FALSE(store().session("s2", kT0 + 2));
  EXPECT_EQ(store().session("s1", kT0 + 2)->exchanges.size(), 1u);
  EXPECT_EQ(store().stats(0).questions, 1);
  // After its exchange is gone the id is still taken (statistics remember it).
  ASSERT_TRUE(store().deleteSession("s1"));
  EXPECT_THROW(store().appendExchange(exchange("s3", "m1", kT0 + 3), {}), StoreError);
  EXPECT_FALSE(store().session("s3", kT0 + 4));
  // The store is usable after the failures.
  store().appendExchange(exchange("s2", "m2", kT0 + 5), {});
  EXPECT_EQ(store().session("s2", kT0 + 6)->exchanges.size(), 1u);
  EXPECT_EQ(store().stats(0).questions, 2);
}

TEST_P(StoreSessionsContract, AppendExchangesCommitsAllOrNothing) {
  store().appendExchanges(
      {exchange("s1", "m1", kT0), exchange("s2", "m2", kT0), exchange("s1", "m3", kT0 + 1)}, {});
  EXPECT_EQ(store().session("s1", kT0 + 2)->exchanges.size(), 2u);
  EXPECT_EQ(store().session("s2", kT0 + 2)->exchanges.size(), 1u);
  // One duplicate id fails the whole group: nothing of it is stored.
  EXPECT_THROW(
      store().appendExchanges({exchange("s3", "m4", kT0 + 3), exchange("s3", "m1", kT0 + 3)}, {}),
      StoreError);
  EXPECT_FALSE(store().session("s3", kT0 + 4));
  EXPECT_EQ(store().stats(0).questions, 3);
  store().appendExchanges({}, {});  // nothing to do
  EXPECT_EQ(store().stats(0).questions, 3);
}

TEST_P(StoreSessionsContract, DeleteSessionRemovesConversationButKeepsStatistics) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().appendExchange(exchange("s2", "m2", kT0), {});
  store().recordFeedback(vote("m1", false, kT0 + 1, "it did not help"));
  EXPECT_TRUE(store().deleteSession("s1"));
  EXPECT_FALSE(store().deleteSession("s1"));
  EXPECT_FALSE(store().deleteSession("never-existed"));
  EXPECT_FALSE(store().session("s1", kT0 + 2));
  EXPECT_TRUE(store().session("s2", kT0 + 2));

  const Stats stats = store().stats(5);
  EXPECT_EQ(stats.questions, 2);
  EXPECT_EQ(stats.feedback, 1);
  EXPECT_EQ(stats.not_helpful, 1);
  ASSERT_EQ(stats.worst_articles.size(), 1u);
  EXPECT_EQ(stats.worst_articles[0].article_id, "kb-1");
}

TEST_P(StoreSessionsContract, PurgeDeletesOnlyExpiredSessions) {
  store().appendExchange(exchange("short", "m1", kT0), {10, 1000});
  store().appendExchange(exchange("medium", "m2", kT0), {10, 2000});
  store().appendExchange(exchange("long", "m3", kT0), {10, 5000});
  EXPECT_EQ(store().purgeExpiredSessions(kT0 + 999), 0u);
  EXPECT_EQ(store().purgeExpiredSessions(kT0 + 2000), 2u);
  EXPECT_EQ(store().purgeExpiredSessions(kT0 + 2000), 0u);
  EXPECT_TRUE(store().session("long", kT0 + 2000));
  EXPECT_EQ(store().stats(0).questions, 3);
}

}  // namespace
}  // namespace chatbot::store::contract
