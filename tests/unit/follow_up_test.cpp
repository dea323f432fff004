// Follow-up resolution: deterministic rewriting of a follow-up question for retrieval, and
// recognising reports that an answer failed.
#include "rag/follow_up.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatbot::rag {
namespace {

std::vector<PriorTurn> history(const std::string& question) {
  return {PriorTurn{question, question, "Open System Settings and choose Users & Groups."}};
}

TEST(FollowUp, WithoutHistoryTheQuestionStandsAlone) {
  const auto r = resolveFollowUp("  and on Windows? ", {});
  EXPECT_FALSE(r.rewritten);
  EXPECT_EQ(r.standalone, "and on Windows?");
}

TEST(FollowUp, APlatformInTheFollowUpReplacesTheEarlierOne) {
  const auto r =
      resolveFollowUp("and on Windows?", history("How do I reset my password on my MacBook Air?"));
  EXPECT_TRUE(r.rewritten);
  EXPECT_EQ(r.standalone, "How do I reset my password on Windows?");
}

TEST(FollowUp, AnAppReplacesAnAppOfTheSameKindOnly) {
  const auto r =
      resolveFollowUp("what about Teams?", history("Zoom has no sound on my Windows laptop"));
  EXPECT_EQ(r.standalone, "has no sound on my Windows laptop Teams?");
}

TEST(FollowUp, ReferencesBackAndFailureReportsAddTheEarlierQuery) {
  const auto a =
      resolveFollowUp("it still doesn't work", history("VPN does not connect from home"));
  EXPECT_TRUE(a.rewritten);
  EXPECT_EQ(a.standalone, "VPN does not connect from home it still doesn't work");
  const auto b = resolveFollowUp("How do I do that?", history("Map a network drive"));
  EXPECT_EQ(b.standalone, "Map a network drive How do I do that?");
}

TEST(FollowUp, ANewTopicIsNotRewritten) {
  const auto r = resolveFollowUp("How do I connect the office printer to my laptop over wifi?",
                                 history("How do I reset my password on my MacBook Air?"));
  EXPECT_FALSE(r.rewritten);
}

TEST(FollowUp, ChainsOnTheLastStandaloneQuery) {
  std::vector<PriorTurn> h = {
      {"Outlook keeps asking for my password", "Outlook keeps asking for my password", "..."},
      {"and on the Mac?", "Outlook keeps asking for my password Mac?", "..."}};
  const auto r = resolveFollowUp("and on iPhone?", h);
  EXPECT_EQ(r.standalone, "Outlook keeps asking for my password on iPhone?");
}

TEST(FollowUp, RecognisesReportsThatTheAnswerFailed) {
  EXPECT_TRUE(reportsFailure("That didn't work"));
  EXPECT_TRUE(reportsFailure("that didn\xE2\x80\x99t help at all"));
  EXPECT_TRUE(reportsFailure("Still getting the same error"));
  EXPECT_TRUE(reportsFailure("it is NOT WORKING"));
  EXPECT_FALSE(reportsFailure("How do I set up my work email?"));
  EXPECT_FALSE(reportsFailure("My printer is still under warranty"));
}

}  // namespace
}  // namespace chatbot::rag
