#include "rag/extractive_generator.h"

#include "kb/markdown.h"
#include "rag/tokens.h"
#include "util/text.h"

namespace chatbot::rag {

namespace {

// One line of the answer as it will be shown.
std::string renderLine(const kb::Block& block) {
  switch (block.kind) {
    case kb::BlockKind::kOrderedItem:
      return std::string(static_cast<std::size_t>(block.level) * 3, ' ') +
             std::to_string(block.number) + ". " + block.text;
    case kb::BlockKind::kBulletItem:
      return std::string(static_cast<std::size_t>(block.level) * 2, ' ') + "- " + block.text;
    case kb::BlockKind::kHeading: {
      std::string h = block.text;
      if (!h.empty() && h.back() != ':' && h.back() != '?') h.push_back(':');
      return h;
    }
    default:
      return block.text;
  }
}

bool isStepsHeading(const kb::Block& b) {
  const std::string h = util::asciiLower(b.text);
  return h == "steps" || h == "how to" || h == "solution" || h == "what to do";
}

}  // namespace

ExtractiveGenerator::ExtractiveGenerator(std::string support_contact,
                                         const std::vector<kb::Article>* articles)
    : support_contact_(std::move(support_contact)) {
  if (articles == nullptr) return;
  rendered_.reserve(articles->size());
  for (const auto& a : *articles) rendered_.emplace(&a, render(a));
}

ExtractiveGenerator::Rendered ExtractiveGenerator::render(const kb::Article& article) {
  Rendered r;
  r.blocks = kb::parseBlocks(article.body);
  for (const auto& block : r.blocks) {
    const bool shown = block.kind != kb::BlockKind::kCode && !block.text.empty() &&
                       !(block.kind == kb::BlockKind::kHeading && isStepsHeading(block));
    r.lines.push_back(shown ? renderLine(block) : std::string());
    r.costs.push_back(shown ? countTokens(r.lines.back()) : 0);
  }
  r.context = article.subject + "\n\n" + article.body;
  return r;
}

Generation ExtractiveGenerator::noAnswer(const GenerationRequest& request) const {
  Generation g;
  g.text = "I couldn't find an answer to that in the IT knowledge base.";
  if (!request.related.empty()) {
    g.text += " These articles might be related:";
    for (std::size_t i = 0; i < request.related.size() && i < 3; ++i) {
      g.text += (i == 0 ? " \"" : ", \"") + request.related[i].article->subject + "\"";
    }
    g.text += ".";
  }
  g.text += " Try describing the problem with the product name and any error message, or contact " +
            support_contact_ + ".";
  g.tokens = countTokens(g.text);
  return g;
}

namespace {

// Whether `block` goes on the line after `previous` (the last block output) rather than in a new
// paragraph: items of one list stay together, and a heading stays on the line above its content.
bool continuesLine(const kb::Block* previous, const kb::Block& block) {
  return previous != nullptr &&
         (previous->kind == kb::BlockKind::kHeading ||
          (block.kind == previous->kind && block.kind != kb::BlockKind::kParagraph &&
           block.kind != kb::BlockKind::kHeading));
}

// The index of the first non-empty line after `i`, or lines.size().
std::size_t nextNonEmpty(const std::vector<std::string>& lines, std::size_t i) {
  std::size_t next = i + 1;
  while (next < lines.size() && lines[next].empty()) ++next;
  return next;
}

}  // namespace

Generation ExtractiveGenerator::generate(const GenerationRequest& request) const {
  if (request.sources.empty()) return noAnswer(request);
  const kb::Article& best = *request.sources.front().article;
  const auto found = rendered_.find(&best);
  Rendered on_the_fly;
  if (found == rendered_.end()) on_the_fly = render(best);
  const Rendered& r = found == rendered_.end() ? on_the_fly : found->second;

  Generation g;
  g.answered = true;
  g.sources_used = 1;  // the answer is the best article's text
  std::size_t used = 0;
  std::string text;
  auto append = [&](std::string_view line, bool new_paragraph) {
    if (!text.empty()) text += new_paragraph ? "\n\n" : "\n";
    text.append(line);
  };
  const kb::Block* previous = nullptr;
  for (std::size_t i = 0; i < r.blocks.size(); ++i) {
    const kb::Block& block = r.blocks[i];
    const std::string& line = r.lines[i];
    if (line.empty()) continue;
    const std::size_t cost = r.costs[i];
    const bool list_continues = continuesLine(previous, block);
    if (used + cost > request.max_tokens) {
      // Cut inside this block only when nothing has been said yet, and only at a sentence end.
      if (used == 0) {
        const std::string_view partial = prefixAtSentence(line, request.max_tokens);
        if (!partial.empty()) {
          append(partial, false);
          used += countTokens(partial);
        }
      }
      g.truncated = true;
      break;
    }
    // A heading is only worth its tokens if something under it fits as well.
    if (block.kind == kb::BlockKind::kHeading) {
      const std::size_t next = nextNonEmpty(r.lines, i);
      if (next == r.blocks.size() || used + cost + r.costs[next] > request.max_tokens) {
        g.truncated = next != r.blocks.size();
        break;
      }
    }
    append(line, !list_continues);
    used += cost;
    previous = &block;
  }
  if (text.empty()) {
    // Even the first sentence is longer than max_tokens: say where the full answer is.
    text = "See the knowledge-base article \"" + best.subject + "\".";
    used = countTokens(text);
    g.truncated = true;
  }
  g.text = std::move(text);
  g.tokens = used;
  g.context_used = r.context;
  return g;
}

}  // namespace chatbot::rag
