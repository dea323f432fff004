// Token counting and sentence-boundary prefixes (rag/tokens.h), the extractive answer's units.
#include "rag/tokens.h"

#include <gtest/gtest.h>

namespace chatbot::rag {
namespace {

TEST(Tokens, CountsWordsAndPunctuation) {
  EXPECT_EQ(countTokens(""), 0u);
  EXPECT_EQ(countTokens("Don't restart!"), 5u);
  EXPECT_EQ(countTokens("1. Open Settings > Wi-Fi"), 8u);
  EXPECT_EQ(countTokens("café au lait"), 3u);
}

TEST(Tokens, PrefixEndsAtASentence) {
  EXPECT_EQ(prefixAtSentence("One two. Three four five. Six.", 6), "One two.");
  EXPECT_EQ(prefixAtSentence("One two. Three four five. Six.", 3), "One two.");
  EXPECT_EQ(prefixAtSentence("One two three four", 2), "");
  EXPECT_EQ(prefixAtSentence("Short.", 10), "Short.");
}

}  // namespace
}  // namespace chatbot::rag
