#pragma once
// Just enough Markdown for KB articles: block structure (headings, paragraphs, list items, code)
// and inline markup stripped to plain text. Not a renderer.
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::kb {

enum class BlockKind { kHeading, kParagraph, kOrderedItem, kBulletItem, kCode };

struct Block {
  BlockKind kind;
  std::string text;  // inline markup removed; list markers removed
  int number = 0;    // ordered items: the item's number
  int level = 0;     // headings: 1-6; list items: nesting depth (0 = top)
};

std::vector<Block> parseBlocks(std::string_view markdown);

// Inline markup removed: **bold**, _em_, `code` (kept as text), [text](url) -> text, <tags>.
std::string stripInline(std::string_view text);

// Whole document as plain text, blocks separated by newlines (for indexing).
std::string toPlainText(std::string_view markdown);

}  // namespace chatbot::kb
