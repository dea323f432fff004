// Follow-up resolution (deterministic rewriting for retrieval) and citation filtering.
#include <gtest/gtest.h>

#include "rag/citations.h"
#include "rag/follow_up.h"

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
  const auto r = resolveFollowUp("and on Windows?", history("How do I reset my password on my MacBook Air?"));
  EXPECT_TRUE(r.rewritten);
  EXPECT_EQ(r.standalone, "How do I reset my password on Windows?");
}

TEST(FollowUp, AnAppReplacesAnAppOfTheSameKindOnly) {
  const auto r = resolveFollowUp("what about Teams?", history("Zoom has no sound on my Windows laptop"));
  EXPECT_EQ(r.standalone, "has no sound on my Windows laptop Teams?");
}

TEST(FollowUp, ReferencesBackAndFailureReportsAddTheEarlierQuery) {
  const auto a = resolveFollowUp("it still doesn't work", history("VPN does not connect from home"));
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
  std::vector<PriorTurn> h = {{"Outlook keeps asking for my password", "Outlook keeps asking for my password", "..."},
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

TEST(Citations, KeepsGivenNumbersAndRemovesInventedOnes) {
  EXPECT_EQ(removeInvalidCitations("Restart it [1]. Then sign in [2, 3].", 3), "Restart it [1]. Then sign in [2, 3].");
  EXPECT_EQ(removeInvalidCitations("Restart it [4]. Then [0] sign in [1,5].", 3), "Restart it. Then sign in.");
  EXPECT_EQ(removeInvalidCitations("Use [Ctrl] + [Alt] and array[i] and [12", 3), "Use [Ctrl] + [Alt] and array[i] and [12");
  EXPECT_EQ(removeInvalidCitations("No sources [1].", 0), "No sources.");
}

TEST(Citations, StreamingGivesTheSameTextWhateverTheChunks) {
  const std::string text = "Open Settings [1]. Choose VPN [7] and connect [2,3]. See [Help] or [2 ok.  Done [3]";
  const std::string whole = removeInvalidCitations(text, 2);
  EXPECT_EQ(whole, "Open Settings [1]. Choose VPN and connect. See [Help] or [2 ok.  Done");
  for (std::size_t chunk = 1; chunk <= 5; ++chunk) {
    CitationFilter filter(2);
    std::string streamed;
    for (std::size_t at = 0; at < text.size(); at += chunk) streamed += filter.feed(text.substr(at, chunk));
    streamed += filter.finish();
    EXPECT_EQ(streamed, whole) << "chunks of " << chunk;
  }
}

TEST(Citations, ListsTheValidNumbersCitedOnce) {
  EXPECT_EQ(citedNumbers("A [2]. B [1, 2]. C [9]. D [3]", 3), (std::vector<std::size_t>{2, 1, 3}));
  EXPECT_TRUE(citedNumbers("nothing cited", 3).empty());
}

}  // namespace
}  // namespace chatbot::rag
