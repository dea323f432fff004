// UTF-8 validation, counting and incremental decoding of streamed bytes (util/utf8.h).
#include "util/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatbot {
namespace {

TEST(Utf8, ValidatesAndCounts) {
  EXPECT_TRUE(util::isValidUtf8("plain ascii"));
  EXPECT_TRUE(util::isValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(util::isValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(util::isValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(util::isValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(util::isValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(util::isValidUtf8("\xFF"));
  EXPECT_EQ(util::codePointCount("caf\xC3\xA9 \xF0\x9F\x98\x80"), 6u);
}

// Feeds `chunks` one after another the way the LLM engine does, returning the text emitted.
std::string decodeChunks(const std::vector<std::string>& chunks) {
  std::string pending;
  std::string out;
  for (const auto& chunk : chunks) {
    pending += chunk;
    pending.erase(0, util::appendDecodableUtf8(pending, out));
    EXPECT_TRUE(util::isValidUtf8(out)) << "after chunk of " << chunk.size() << " bytes";
  }
  return out;
}

TEST(Utf8, PreviewKeepsShortTextAndCutsLongTextAfterAWholeWord) {
  EXPECT_EQ(util::preview("short text", 10), "short text");
  EXPECT_EQ(util::preview("", 10), "");
  EXPECT_EQ(util::preview("one two three four", 12), "one two...") << "not \"one two thre\"";
  EXPECT_EQ(util::preview("one two three four", 13), "one two three...");
  EXPECT_EQ(util::preview("one two\n\nthree", 9), "one two...");
  // No word ends in the second half of the limit: cut at the limit itself.
  EXPECT_EQ(util::preview("a bcdefghijklmnop", 8), "a bcdefg...");
}

TEST(Utf8, PreviewCountsCodePointsAndNeverSplitsOne) {
  std::string e_acute;
  for (int i = 0; i < 600; ++i) e_acute += "\xC3\xA9";  // é, 2 bytes
  const std::string p = util::preview(e_acute, 500);
  EXPECT_TRUE(util::isValidUtf8(p));
  EXPECT_EQ(util::codePointCount(p), 503u);  // 500 characters and "..."
  EXPECT_EQ(p.substr(p.size() - 3), "...");
  const std::string emoji = "\xF0\x9F\x98\x80 \xF0\x9F\x98\x80\xF0\x9F\x98\x80";
  EXPECT_EQ(util::preview(emoji, 3), "\xF0\x9F\x98\x80...");
  EXPECT_EQ(util::preview(emoji, 4), emoji);
}

TEST(Utf8, DecodableTextWaitsForSplitCharacters) {
  // "é" and "😀" arrive one byte per token: nothing is emitted until each is whole.
  std::string pending = "caf\xC3";
  std::string out;
  EXPECT_EQ(util::appendDecodableUtf8(pending, out), 3u);
  EXPECT_EQ(out, "caf");
  EXPECT_EQ(decodeChunks({"caf", "\xC3", "\xA9", " ", "\xF0", "\x9F", "\x98", "\x80", "!"}),
            "caf\xC3\xA9 \xF0\x9F\x98\x80!");
}

TEST(Utf8, IllFormedBytesBecomeReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(decodeChunks({"a\xFF"
                          "b"}),
            "a" + fffd + "b");                             // never a lead byte
  EXPECT_EQ(decodeChunks({"\x80\x80"}), fffd + fffd);      // stray continuations
  EXPECT_EQ(decodeChunks({"\xC3", "A"}), fffd + "A");      // lead byte, then ASCII
  EXPECT_EQ(decodeChunks({"\xE2\x82", "x"}), fffd + "x");  // truncated 3-byte: one U+FFFD
  EXPECT_EQ(decodeChunks({"\xC0\xAF"}), fffd + fffd);      // overlong lead
  EXPECT_EQ(decodeChunks({"\xED", "\xA0\x80"}), fffd + fffd + fffd);         // surrogate
  EXPECT_EQ(decodeChunks({"\xF4\x90\x80\x80"}), fffd + fffd + fffd + fffd);  // past U+10FFFF
  EXPECT_EQ(decodeChunks({"\xE2\x82\xAC"}), "\xE2\x82\xAC");
}

}  // namespace
}  // namespace chatbot
