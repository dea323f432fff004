#pragma once
// Answers from the knowledge base alone: the best article's summary and numbered steps, cut at
// max_tokens on a step or sentence boundary, never paraphrased, so the answer is exactly as
// faithful as the article.
#include <string>
#include <unordered_map>
#include <vector>

#include "kb/markdown.h"
#include "rag/generator.h"

namespace chatbot::rag {

class ExtractiveGenerator final : public Generator {
 public:
  // `articles`, when given, are rendered once here instead of on every request; they must outlive
  // the generator. Other articles are rendered when asked for.
  explicit ExtractiveGenerator(std::string support_contact,
                               const std::vector<kb::Article>* articles = nullptr);
  Generation generate(const GenerationRequest& request) const override;
  std::string kind() const override { return "extractive"; }
  std::string model() const override { return "none"; }

 private:
  // An article as answer material: the lines it can contribute, in order, with their token costs.
  struct Rendered {
    std::vector<kb::Block> blocks;
    std::vector<std::string> lines;  // parallel to blocks; empty for blocks never shown
    std::vector<std::size_t> costs;  // countTokens(lines[i])
    std::string context;             // subject + body: what the answer was built from
  };
  static Rendered render(const kb::Article& article);
  Generation noAnswer(const GenerationRequest& request) const;

  std::string support_contact_;
  std::unordered_map<const kb::Article*, Rendered> rendered_;  // read-only after construction
};

}  // namespace chatbot::rag
