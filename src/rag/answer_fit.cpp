#include "rag/answer_fit.h"

#include "rag/tokens.h"
#include "util/text.h"

namespace chatbot::rag {

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

bool isListItem(kb::BlockKind kind) {
  return kind == kb::BlockKind::kOrderedItem || kind == kb::BlockKind::kBulletItem;
}

// "Steps" and the like say nothing the numbered list below them does not.
bool isStepsHeading(const kb::Block& b) {
  const std::string h = util::asciiLower(b.text);
  return h == "steps" || h == "how to" || h == "solution" || h == "what to do";
}

AnswerLine renderLine(const kb::Block& block) {
  AnswerLine line{.kind = block.kind, .level = block.level, .number = block.number};
  switch (block.kind) {
    case kb::BlockKind::kOrderedItem:
      line.text = std::string(static_cast<std::size_t>(block.level) * 3, ' ') +
                  std::to_string(block.number) + ". ";
      break;
    case kb::BlockKind::kBulletItem:
      line.text = std::string(static_cast<std::size_t>(block.level) * 2, ' ') + "- ";
      break;
    default:
      break;
  }
  line.marker = line.text.size();
  line.text += block.text;
  if (block.kind == kb::BlockKind::kHeading && line.text.back() != ':' && line.text.back() != '?') {
    line.text.push_back(':');
  }
  line.tokens = countTokens(line.text);
  return line;
}

// Whether `line` goes on the line after `previous` (the last line output) rather than in a new
// paragraph: items of one list stay together, with the lists nested in them, and a heading stays
// on the line above its content.
bool continuesLine(const AnswerLine* previous, const AnswerLine& line) {
  if (previous == nullptr) return false;
  if (previous->kind == kb::BlockKind::kHeading) return true;
  return isListItem(line.kind) && isListItem(previous->kind) &&
         (line.kind == previous->kind || line.level > 0 || previous->level > 0);
}

// What a shortened answer leaves out, as its pointer names it.
struct Omission {
  int rest_of_step = 0;  // a step shown only up to a sentence end (its number), or 0
  int first_step = 0;    // whole steps first_step..last_step are left out; 0: none
  int last_step = 0;
  bool more = false;  // something besides steps is left out
};

std::string stepRange(int first, int last) {
  return first == last ? "step " + std::to_string(first)
                       : "steps " + std::to_string(first) + "–" + std::to_string(last);
}

// "Steps 5–7: see [1].", "The rest of step 1, steps 2–7 and more: see [1].", "More: see [1]."
std::string pointerText(const Omission& o, std::string_view citation) {
  std::vector<std::string> items;
  if (o.rest_of_step > 0) items.push_back("the rest of step " + std::to_string(o.rest_of_step));
  if (o.first_step > 0) items.push_back(stepRange(o.first_step, o.last_step));
  if (o.more || items.empty()) items.emplace_back("more");
  std::string text = items.front();
  for (std::size_t i = 1; i < items.size(); ++i) {
    text += (i + 1 == items.size() ? " and " : ", ") + items[i];
  }
  text.front() = static_cast<char>(text.front() - 'a' + 'A');
  return text + ": see " + std::string(citation) + ".";
}

}  // namespace

// Which parts a shortened answer shows.
struct ArticleAnswer::Plan {
  std::vector<char> keep;       // per part: shown whole
  std::size_t partial = kNone;  // a part shown up to a sentence end of its content line
  std::string partial_text;     // that content line, shortened
  std::size_t used = 0;         // tokens of everything shown so far
};

ArticleAnswer::ArticleAnswer(const std::vector<kb::Block>& blocks) {
  for (const auto& block : blocks) {
    const bool shown = block.kind != kb::BlockKind::kCode && !block.text.empty() &&
                       !(block.kind == kb::BlockKind::kHeading && isStepsHeading(block));
    if (shown) lines_.push_back(renderLine(block));
  }
  layOut();
  for (const auto& part : parts_) tokens_ += part.tokens;
  Plan all;
  all.keep.assign(parts_.size(), 1);
  full_ = render(all);
}

// Parts over lines [begin, end): headings join the block below them (headings with nothing
// below are dropped), and list items nested under an item join it.
void ArticleAnswer::addParts(std::size_t begin, std::size_t end, PartRole role) {
  std::size_t i = begin;
  while (i < end) {
    AnswerPart part{.role = role, .first = i};
    while (i < end && lines_[i].kind == kb::BlockKind::kHeading) ++i;
    if (i == end) break;
    part.content = i++;
    if (isListItem(lines_[part.content].kind)) {
      while (i < end && isListItem(lines_[i].kind) &&
             lines_[i].level > lines_[part.content].level) {
        ++i;
      }
    }
    part.end = i;
    for (std::size_t l = part.first; l < part.end; ++l) part.tokens += lines_[l].tokens;
    parts_.push_back(part);
  }
}

// The steps are the first top-level numbered list up to the next heading; blocks between its
// items (nested lists, continuation paragraphs) belong to the step above them.
void ArticleAnswer::layOut() {
  auto isStep = [&](std::size_t i) {
    return lines_[i].kind == kb::BlockKind::kOrderedItem && lines_[i].level == 0;
  };
  std::size_t first = 0;
  while (first < lines_.size() && !isStep(first)) ++first;
  if (first == lines_.size()) {
    addParts(0, lines_.size(), PartRole::kIntro);
    return;
  }
  std::size_t stop = first;
  while (stop < lines_.size() && lines_[stop].kind != kb::BlockKind::kHeading) ++stop;
  std::size_t last = stop - 1;
  while (!isStep(last)) --last;
  std::size_t end = last + 1;
  while (end < stop && isListItem(lines_[end].kind) && lines_[end].level > 0) ++end;
  std::size_t begin = first;
  while (begin > 0 && lines_[begin - 1].kind == kb::BlockKind::kHeading) --begin;

  addParts(0, begin, PartRole::kIntro);
  steps_begin_ = parts_.size();
  std::size_t part_begin = begin;
  std::size_t content = first;
  for (std::size_t i = first + 1; i <= end; ++i) {
    if (i < end && !isStep(i)) continue;
    AnswerPart step{.role = PartRole::kStep, .first = part_begin, .content = content, .end = i};
    for (std::size_t l = step.first; l < step.end; ++l) step.tokens += lines_[l].tokens;
    parts_.push_back(step);
    part_begin = content = i;
  }
  steps_end_ = parts_.size();
  numberSteps();
  addParts(end, lines_.size(), PartRole::kNote);
}

// Markdown numbers a list from its first item on, whatever later items say ("1. 1. 1." shows 1,
// 2, 3): the steps are shown, and named in the pointer, by that numbering.
void ArticleAnswer::numberSteps() {
  const int start = lines_[parts_[steps_begin_].content].number;
  for (std::size_t p = steps_begin_; p < steps_end_; ++p) {
    AnswerLine& line = lines_[parts_[p].content];
    const int number = start + static_cast<int>(p - steps_begin_);
    if (line.number == number) continue;
    const std::string body = line.text.substr(line.marker);
    parts_[p].tokens -= line.tokens;
    line.number = number;
    line.text = std::to_string(number) + ". " + body;
    line.marker = line.text.size() - body.size();
    line.tokens = countTokens(line.text);
    parts_[p].tokens += line.tokens;
  }
}

// Shows part `p` up to the last sentence end of its content line that fits in `budget` (with the
// headings above it and its list marker). Returns the tokens shown, 0 when not even one sentence
// fits.
std::size_t ArticleAnswer::showPartial(Plan& plan, std::size_t p, std::size_t budget) const {
  const AnswerPart& part = parts_[p];
  const AnswerLine& line = lines_[part.content];
  const std::string_view marker = std::string_view(line.text).substr(0, line.marker);
  std::size_t lead = countTokens(marker);
  for (std::size_t l = part.first; l < part.content; ++l) lead += lines_[l].tokens;
  if (lead >= budget) return 0;
  const std::string_view prefix =
      prefixAtSentence(std::string_view(line.text).substr(line.marker), budget - lead);
  if (prefix.empty()) return 0;
  plan.partial = p;
  plan.partial_text = std::string(marker) + std::string(prefix);
  const std::size_t shown = lead + countTokens(prefix);
  plan.used += shown;
  return shown;
}

// Keeps the parts of `role` in order while they fit in `budget`; the first that does not fit
// whole is shown up to a sentence end when it is a paragraph (list items stay whole). Returns
// whether every part of `role` was kept whole.
bool ArticleAnswer::fillInOrder(Plan& plan, PartRole role, std::size_t budget) const {
  for (std::size_t p = 0; p < parts_.size(); ++p) {
    const AnswerPart& part = parts_[p];
    if (part.role != role) continue;
    if (part.tokens <= budget) {
      plan.keep[p] = 1;
      plan.used += part.tokens;
      budget -= part.tokens;
      continue;
    }
    if (lines_[part.content].kind == kb::BlockKind::kParagraph) showPartial(plan, p, budget);
    return false;
  }
  return true;
}

int ArticleAnswer::stepNumber(std::size_t part) const {
  return lines_[parts_[part].content].number;
}

// Whole steps from step 1 on, as many as fit beside the pointer to the rest. With every step
// shown, the intro and then the notes get what is left; with some, the intro does. When step 1
// alone is over budget it is shown up to a sentence end, or else the intro is.
void ArticleAnswer::fitSteps(Plan& plan, std::size_t max_tokens, std::string_view citation) const {
  const int last = stepNumber(steps_end_ - 1);
  const bool has_more = parts_.size() > steps();  // an intro or notes, which may be left out
  // The longest pointer needed when the steps from part `next` on are left out.
  auto reserve = [&](std::size_t next) {
    Omission o{.more = has_more};
    if (next < steps_end_) o.first_step = stepNumber(next), o.last_step = last;
    return countTokens(pointerText(o, citation));
  };
  std::size_t next = steps_begin_;
  while (next < steps_end_ && plan.used + parts_[next].tokens + reserve(next + 1) <= max_tokens) {
    plan.keep[next] = 1;
    plan.used += parts_[next++].tokens;
  }
  if (next > steps_begin_) {
    const std::size_t steps_used = plan.used;
    const std::size_t budget = max_tokens - steps_used - reserve(next);
    if (fillInOrder(plan, PartRole::kIntro, budget) && next == steps_end_) {
      fillInOrder(plan, PartRole::kNote, budget - (plan.used - steps_used));
    }
    return;
  }
  Omission rest{.rest_of_step = stepNumber(next), .more = has_more};
  if (next + 1 < steps_end_) rest.first_step = stepNumber(next + 1), rest.last_step = last;
  const std::size_t pointer = countTokens(pointerText(rest, citation));
  if (pointer < max_tokens && showPartial(plan, next, max_tokens - pointer) > 0) return;
  if (reserve(next) < max_tokens) fillInOrder(plan, PartRole::kIntro, max_tokens - reserve(next));
}

std::string ArticleAnswer::render(const Plan& plan) const {
  std::string text;
  const AnswerLine* previous = nullptr;
  auto emit = [&](const AnswerLine& line, std::string_view shown) {
    if (!text.empty()) text += continuesLine(previous, line) ? "\n" : "\n\n";
    text.append(shown);
    previous = &line;
  };
  for (std::size_t p = 0; p < parts_.size(); ++p) {
    const AnswerPart& part = parts_[p];
    const bool whole = plan.keep[p] != 0;
    if (!whole && plan.partial != p) continue;
    for (std::size_t l = part.first; l < (whole ? part.end : part.content); ++l) {
      emit(lines_[l], lines_[l].text);
    }
    if (!whole) emit(lines_[part.content], plan.partial_text);
  }
  return text;
}

// What the pointer names: the steps not shown whole, and whether anything else is missing.
std::string ArticleAnswer::pointer(const Plan& plan, std::string_view citation) const {
  Omission o;
  for (std::size_t p = 0; p < parts_.size(); ++p) {
    if (plan.keep[p] != 0) continue;
    if (parts_[p].role != PartRole::kStep) {
      o.more = true;
    } else if (plan.partial == p) {
      o.rest_of_step = stepNumber(p);
    } else if (o.first_step == 0) {
      o.first_step = stepNumber(p);
      o.last_step = stepNumber(steps_end_ - 1);
    }
  }
  return pointerText(o, citation);
}

FittedAnswer ArticleAnswer::fit(std::size_t max_tokens, std::string_view citation,
                                std::string_view title) const {
  if (!parts_.empty() && tokens_ <= max_tokens) return {full_, tokens_, false};
  Plan plan;
  plan.keep.assign(parts_.size(), 0);
  if (steps() > 0) {
    fitSteps(plan, max_tokens, citation);
  } else {
    const std::size_t reserve = countTokens(pointerText({.more = true}, citation));
    if (reserve < max_tokens) fillInOrder(plan, PartRole::kIntro, max_tokens - reserve);
  }
  std::string text = render(plan);
  if (text.empty()) {
    // Nothing of the article fits: name it, so the reader knows which article to open.
    text = "See " + std::string(citation) + ": " + std::string(title) + ".";
    if (countTokens(text) > max_tokens) text = "See " + std::string(citation) + ".";
  } else {
    text += "\n\n" + pointer(plan, citation);
  }
  const std::size_t tokens = countTokens(text);
  return {std::move(text), tokens, true};
}

}  // namespace chatbot::rag
