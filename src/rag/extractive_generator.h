#pragma once
// Answers from the knowledge base alone: the best article's summary, numbered steps and notes,
// never paraphrased, so the answer is exactly as faithful as the article. When the article does
// not fit in max_tokens it is shortened as rag/answer_fit.h describes: whole steps first, and a
// pointer to the rest ("Steps 5–7: see [1].") at the end of the answer itself.
#include <string>
#include <unordered_map>
#include <vector>

#include "rag/answer_fit.h"
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
  // An article as answer material.
  struct Rendered {
    ArticleAnswer answer;
    std::string context;  // subject + body: what the answer was built from
  };
  static Rendered render(const kb::Article& article);
  Generation noAnswer(const GenerationRequest& request) const;

  std::string support_contact_;
  std::unordered_map<const kb::Article*, Rendered> rendered_;  // read-only after construction
};

}  // namespace chatbot::rag
