#include "rag/extractive_generator.h"

#include "kb/markdown.h"
#include "rag/tokens.h"
#include "util/text.h"

namespace chatbot::rag {

namespace {

// One line of the answer as it will be shown.
std::string render(const kb::Block& block) {
  switch (block.kind) {
    case kb::BlockKind::kOrderedItem:
      return std::string(static_cast<std::size_t>(block.level) * 3, ' ') + std::to_string(block.number) + ". " +
             block.text;
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

ExtractiveGenerator::ExtractiveGenerator(std::string support_contact)
    : support_contact_(std::move(support_contact)) {}

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

Generation ExtractiveGenerator::generate(const GenerationRequest& request) const {
  if (request.sources.empty()) return noAnswer(request);
  const kb::Article& best = *request.sources.front().article;
  const auto blocks = kb::parseBlocks(best.body);

  Generation g;
  g.answered = true;
  std::size_t used = 0;
  std::string text;
  auto append = [&](std::string_view line, bool new_paragraph) {
    if (!text.empty()) text += new_paragraph ? "\n\n" : "\n";
    text.append(line);
  };
  const kb::Block* previous = nullptr;
  for (const auto& block : blocks) {
    if (block.kind == kb::BlockKind::kCode || block.text.empty()) continue;
    if (block.kind == kb::BlockKind::kHeading && isStepsHeading(block)) continue;
    std::string line = render(block);
    const std::size_t cost = countTokens(line);
    // Items of one list stay together, and a heading stays on the line above its content.
    const bool list_continues =
        previous != nullptr && (previous->kind == kb::BlockKind::kHeading ||
                                (block.kind == previous->kind && block.kind != kb::BlockKind::kParagraph &&
                                 block.kind != kb::BlockKind::kHeading));
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
      const auto next = &block + 1;
      if (next == blocks.data() + blocks.size() || used + cost + countTokens(render(*next)) > request.max_tokens) {
        g.truncated = true;
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
  g.context_used = best.subject + "\n\n" + best.body;
  return g;
}

}  // namespace chatbot::rag
