// Citation filtering of generated text: invented source numbers removed, the same result however
// the text is streamed.
#include "rag/citations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatbot::rag {
namespace {

TEST(Citations, KeepsGivenNumbersAndRemovesInventedOnes) {
  EXPECT_EQ(removeInvalidCitations("Restart it [1]. Then sign in [2, 3].", 3),
            "Restart it [1]. Then sign in [2, 3].");
  EXPECT_EQ(removeInvalidCitations("Restart it [4]. Then [0] sign in [1,5].", 3),
            "Restart it. Then sign in.");
  EXPECT_EQ(removeInvalidCitations("Use [Ctrl] + [Alt] and array[i] and [12", 3),
            "Use [Ctrl] + [Alt] and array[i] and [12");
  EXPECT_EQ(removeInvalidCitations("No sources [1].", 0), "No sources.");
}

TEST(Citations, StreamingGivesTheSameTextWhateverTheChunks) {
  const std::string text =
      "Open Settings [1]. Choose VPN [7] and connect [2,3]. See [Help] or [2 ok.  Done [3]";
  const std::string whole = removeInvalidCitations(text, 2);
  EXPECT_EQ(whole, "Open Settings [1]. Choose VPN and connect. See [Help] or [2 ok.  Done");
  for (std::size_t chunk = 1; chunk <= 5; ++chunk) {
    CitationFilter filter(2);
    std::string streamed;
    for (std::size_t at = 0; at < text.size(); at += chunk)
      streamed += filter.feed(text.substr(at, chunk));
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
