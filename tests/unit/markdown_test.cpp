// Just-enough Markdown for KB articles: block structure and inline markup stripped.
#include "kb/markdown.h"

#include <gtest/gtest.h>

namespace chatbot::kb {
namespace {

TEST(Markdown, BlocksAndInlineMarkup) {
  const auto blocks = parseBlocks(
      "Intro **bold** and [link](https://x.example.com).\ncontinued.\n\n## Steps\n1. Open "
      "`Settings`.\n"
      "2. Click _Save_\n   and wait.\n- bullet\n\n```\ncode\n```\n");
  ASSERT_EQ(blocks.size(), 6u);
  EXPECT_EQ(blocks[0].text, "Intro bold and link. continued.");
  EXPECT_EQ(blocks[1].kind, BlockKind::kHeading);
  EXPECT_EQ(blocks[2].kind, BlockKind::kOrderedItem);
  EXPECT_EQ(blocks[2].text, "Open Settings.");
  EXPECT_EQ(blocks[3].number, 2);
  EXPECT_EQ(blocks[3].text, "Click Save and wait.");
  EXPECT_EQ(blocks[4].kind, BlockKind::kBulletItem);
  EXPECT_EQ(blocks[5].kind, BlockKind::kCode);
  EXPECT_EQ(stripInline("snake_case stays, <b>tags</b> go, <https://a.example.com> stays"),
            "snake_case stays, tags go, https://a.example.com stays");
}

}  // namespace
}  // namespace chatbot::kb
