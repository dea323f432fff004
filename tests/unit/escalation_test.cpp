// When a ticket is suggested: escalation decisions for answers and for feedback.
#include "support/escalation.h"

#include <gtest/gtest.h>

#include "rag/chat_service.h"

namespace chatbot::support {
namespace {

TEST(Escalation, FollowsTheStrongestSignal) {
  kb::Article article;
  rag::ChatAnswer answer;
  answer.answered = true;
  answer.results.push_back({&article, 0.9});
  EXPECT_FALSE(escalationForAnswer(answer, 0.5).suggested);
  answer.results[0].score = 0.4;
  EXPECT_EQ(escalationForAnswer(answer, 0.5).reason, "low_confidence");
  answer.answered = false;
  EXPECT_EQ(escalationForAnswer(answer, 0.5).reason, "no_answer");
  answer.reports_failure = true;
  EXPECT_EQ(escalationForAnswer(answer, 0.5).reason, "user_reported_failure");
  EXPECT_TRUE(escalationForFeedback(false).suggested);
  EXPECT_FALSE(escalationForFeedback(true).suggested);
}

}  // namespace
}  // namespace chatbot::support
