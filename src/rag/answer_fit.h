#pragma once
// Fitting an article's answer into max_tokens without ever showing part of a procedure as if it
// were all of it. An article is read as parts:
//   - the intro: everything before its numbered steps (all of it when it has none);
//   - the steps: the first numbered list, one part per top-level item with what is nested under
//     it, and the headings just above step 1;
//   - the notes: everything after the steps.
// A heading always travels with the block below it, so none is ever shown alone. When the whole
// answer fits it is shown unchanged. When it does not, whole steps come first (from step 1 on, as
// many as fit), then the intro, then the notes, and the answer ends with a pointer to what was
// left out that names the article's citation marker: "Steps 5–7: see [1]." Invariants of every
// shortened answer: it ends with the pointer; every other line is a whole line of the full
// answer, in order, except that a paragraph (or, when step 1 alone is over budget, step 1) may
// stop early at the end of a sentence; its tokens stay within max_tokens (except below 5 tokens,
// which still get the bare pointer "See [1].").
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kb/markdown.h"

namespace chatbot::rag {

enum class PartRole { kIntro, kStep, kNote };

// One line of the answer as shown: a block of the article rendered ("3. Restart the Mac.").
struct AnswerLine {
  std::string text;
  std::size_t marker = 0;  // bytes before the block's own text: indentation and list marker
  std::size_t tokens = 0;  // countTokens(text)
  kb::BlockKind kind = kb::BlockKind::kParagraph;
  int level = 0;   // list items: nesting depth
  int number = 0;  // ordered items: the number shown
};

// A unit the budget keeps or leaves out whole: lines [first, end), of which [first, content) are
// headings.
struct AnswerPart {
  PartRole role = PartRole::kIntro;
  std::size_t first = 0;
  std::size_t content = 0;
  std::size_t end = 0;
  std::size_t tokens = 0;  // of all its lines
};

struct FittedAnswer {
  std::string text;
  std::size_t tokens = 0;  // countTokens(text)
  bool shortened = false;  // something was left out, and `text` ends with the pointer to it
};

// An article laid out as answer material; built once per article, immutable, thread-safe.
class ArticleAnswer {
 public:
  explicit ArticleAnswer(const std::vector<kb::Block>& blocks);

  // The whole answer when it fits in `max_tokens`, else the parts that fit as described above.
  // `citation` is the article's marker ("[1]"); `title` (its subject) is named in the pointer only
  // when nothing else of the article fits.
  FittedAnswer fit(std::size_t max_tokens, std::string_view citation, std::string_view title) const;

  const std::vector<AnswerLine>& lines() const noexcept { return lines_; }
  const std::vector<AnswerPart>& parts() const noexcept { return parts_; }
  std::size_t steps() const noexcept { return steps_end_ - steps_begin_; }  // step parts
  std::size_t tokens() const noexcept { return tokens_; }                   // the whole answer

 private:
  struct Plan;
  void addParts(std::size_t begin, std::size_t end, PartRole role);
  void layOut();
  void numberSteps();
  int stepNumber(std::size_t part) const;
  std::size_t showPartial(Plan& plan, std::size_t part, std::size_t budget) const;
  bool fillInOrder(Plan& plan, PartRole role, std::size_t budget) const;
  void fitSteps(Plan& plan, std::size_t max_tokens, std::string_view citation) const;
  std::string render(const Plan& plan) const;
  std::string pointer(const Plan& plan, std::string_view citation) const;

  std::vector<AnswerLine> lines_;
  std::vector<AnswerPart> parts_;
  std::size_t steps_begin_ = 0;  // step parts are parts_[steps_begin_, steps_end_)
  std::size_t steps_end_ = 0;
  std::size_t tokens_ = 0;
  std::string full_;  // the whole answer
};

}  // namespace chatbot::rag
