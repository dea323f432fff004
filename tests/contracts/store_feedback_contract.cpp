// Store contract, feedback and statistics: one vote per answer, feedback outliving its
// conversation, and the aggregates with the ranking of the worst articles.
#include "contracts/store_contract.h"

namespace chatbot::store::contract {
namespace {

TEST_P(StoreFeedbackContract, FeedbackOnUnknownMessageStoresNothing) {
  const auto outcome = store().recordFeedback(vote("no-such-message", true, kT0));
  EXPECT_FALSE(outcome.known_message);
  EXPECT_FALSE(outcome.replaced);
  EXPECT_EQ(outcome.session_id, "");
  EXPECT_EQ(store().stats(5).feedback, 0);
}

TEST_P(StoreFeedbackContract, LaterFeedbackReplacesEarlier) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  auto outcome = store().recordFeedback(vote("m1", true, kT0 + 1, "great"));
  EXPECT_TRUE(outcome.known_message);
  EXPECT_FALSE(outcome.replaced);
  EXPECT_EQ(outcome.session_id, "s1");
  Stats stats = store().stats(5);
  EXPECT_EQ(stats.helpful, 1);
  EXPECT_TRUE(stats.worst_articles.empty());

  outcome = store().recordFeedback(vote("m1", false, kT0 + 2, "actually no"));
  EXPECT_TRUE(outcome.known_message);
  EXPECT_TRUE(outcome.replaced);
  stats = store().stats(5);
  EXPECT_EQ(stats.feedback, 1);
  EXPECT_EQ(stats.helpful, 0);
  EXPECT_EQ(stats.not_helpful, 1);
  ASSERT_EQ(stats.worst_articles.size(), 1u);
  EXPECT_EQ(stats.worst_articles[0].helpful, 0);
  EXPECT_EQ(stats.worst_articles[0].not_helpful, 1);
}

TEST_P(StoreFeedbackContract, FeedbackAfterTheConversationIsGoneCountsWithoutText) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().appendExchange(exchange("s2", "m2", kT0), {1, kHour});
  store().appendExchange(exchange("s2", "m3", kT0 + 1), {1, kHour});  // trims m2
  ASSERT_TRUE(store().deleteSession("s1"));

  for (const char* message : {"m1", "m2"}) {
    const auto outcome = store().recordFeedback(vote(message, false, kT0 + 5, "late comment"));
    EXPECT_TRUE(outcome.known_message) << message;
    EXPECT_FALSE(outcome.replaced) << message;
    EXPECT_EQ(outcome.session_id, "") << message;
  }
  const Stats stats = store().stats(5);
  EXPECT_EQ(stats.feedback, 2);
  EXPECT_EQ(stats.not_helpful, 2);
}

// Appends an answer citing `article` first (numbered m1, m2, ...) and rates it.
void rateAnswer(Store& store, int& next, const std::string& article, bool helpful) {
  const std::string id = numbered("m", ++next);
  store.appendExchange(
      exchange(numbered("s", next % 3), id, kT0 + next, {source(article), source("kb-second")}),
      {});
  store.recordFeedback(vote(id, helpful, kT0 + next));
}

TEST_P(StoreFeedbackContract, StatsCountEverythingAndRankWorstArticles) {
  int next = 0;
  const auto rated = [&](const std::string& article, bool helpful) {
    rateAnswer(store(), next, article, helpful);
  };
  for (int i = 0; i < 2; ++i) rated("kb-a", false);
  rated("kb-a", true);                               // a: 2 not helpful, 1 helpful
  for (int i = 0; i < 2; ++i) rated("kb-b", false);  // b: 2 not helpful, 0 helpful: worse than a
  rated("kb-d", false);
  for (int i = 0; i < 3; ++i) rated("kb-d", true);  // d: 1 not helpful, 3 helpful
  rated("kb-c", false);
  for (int i = 0; i < 3; ++i) rated("kb-c", true);     // c: as d, before it by id
  for (int i = 0; i < 4; ++i) rated("kb-good", true);  // never "not helpful": not listed

  // Unrated, unanswered and escalated answers count as questions only.
  Exchange unanswered = exchange("s9", "m-unanswered", kT0 + 100);
  unanswered.escalation_reason = "no article matched";
  store().appendExchange(unanswered, {});
  // Rated but without sources: counts as feedback, ranks no article.
  store().appendExchange(exchange("s9", "m-nosource", kT0 + 101), {});
  store().recordFeedback(vote("m-nosource", false, kT0 + 102));

  store().createTicket(newTicket("one"), kT0, false);
  const auto second = store().createTicket(newTicket("two"), kT0, false).ticket;
  const auto third = store().createTicket(newTicket("three"), kT0, false).ticket;
  store().updateTicketStatus(second.id, TicketStatus::kInProgress, kT0 + 1, false);
  store().updateTicketStatus(third.id, TicketStatus::kResolved, kT0 + 1, false);

  const Stats stats = store().stats(10);
  EXPECT_EQ(stats.questions, next + 2);
  EXPECT_EQ(stats.answered, next);
  EXPECT_EQ(stats.unanswered, 2);
  EXPECT_EQ(stats.escalations_suggested, 1);
  EXPECT_EQ(stats.feedback, next + 1);
  EXPECT_EQ(stats.helpful, 1 + 3 + 3 + 4);
  EXPECT_EQ(stats.not_helpful, 2 + 2 + 1 + 1 + 1);
  EXPECT_EQ(stats.tickets, 3);
  EXPECT_EQ(stats.tickets_open, 2);
  ASSERT_EQ(stats.worst_articles.size(), 4u);
  std::vector<std::string> order;
  for (const auto& a : stats.worst_articles) order.push_back(a.article_id);
  EXPECT_EQ(order, (std::vector<std::string>{"kb-b", "kb-a", "kb-c", "kb-d"}));
  EXPECT_EQ(stats.worst_articles[1].subject, "Subject of kb-a");
  EXPECT_EQ(stats.worst_articles[1].helpful, 1);
  EXPECT_EQ(stats.worst_articles[1].not_helpful, 2);

  EXPECT_EQ(store().stats(2).worst_articles.size(), 2u);
  EXPECT_TRUE(store().stats(0).worst_articles.empty());
}

TEST_P(StoreFeedbackContract, EmptyStoreHasZeroStats) {
  const Stats stats = store().stats(5);
  EXPECT_EQ(stats.questions, 0);
  EXPECT_EQ(stats.answered, 0);
  EXPECT_EQ(stats.feedback, 0);
  EXPECT_EQ(stats.tickets, 0);
  EXPECT_TRUE(stats.worst_articles.empty());
}

}  // namespace
}  // namespace chatbot::store::contract
