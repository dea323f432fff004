#include "rag/extractive_generator.h"

#include <optional>

#include "kb/markdown.h"
#include "rag/tokens.h"

namespace chatbot::rag {

ExtractiveGenerator::ExtractiveGenerator(std::string support_contact,
                                         const std::vector<kb::Article>* articles)
    : support_contact_(std::move(support_contact)) {
  if (articles == nullptr) return;
  rendered_.reserve(articles->size());
  for (const auto& a : *articles) rendered_.emplace(&a, render(a));
}

ExtractiveGenerator::Rendered ExtractiveGenerator::render(const kb::Article& article) {
  return {ArticleAnswer(kb::parseBlocks(article.body)), article.subject + "\n\n" + article.body};
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

Generation ExtractiveGenerator::generate(const GenerationRequest& request) const {
  if (request.sources.empty()) return noAnswer(request);
  const kb::Article& best = *request.sources.front().article;
  const auto found = rendered_.find(&best);
  std::optional<Rendered> on_the_fly;  // an article the generator was not built with
  if (found == rendered_.end()) on_the_fly = render(best);
  const Rendered& r = on_the_fly ? *on_the_fly : found->second;

  // The answer is the best article's text, so it is source [1].
  FittedAnswer fitted = r.answer.fit(request.max_tokens, "[1]", best.subject);
  Generation g;
  g.answered = true;
  g.sources_used = 1;
  g.text = std::move(fitted.text);
  g.tokens = fitted.tokens;
  g.truncated = fitted.shortened;
  g.context_used = r.context;
  return g;
}

}  // namespace chatbot::rag
