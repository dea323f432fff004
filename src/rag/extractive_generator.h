#pragma once
// Answers from the knowledge base alone: the best article's summary and numbered steps, cut at
// max_tokens on a step or sentence boundary, never paraphrased, so the answer is exactly as
// faithful as the article.
#include <string>

#include "rag/generator.h"

namespace chatbot::rag {

class ExtractiveGenerator final : public Generator {
 public:
  explicit ExtractiveGenerator(std::string support_contact);
  Generation generate(const GenerationRequest& request) const override;
  std::string kind() const override { return "extractive"; }
  std::string model() const override { return "none"; }

 private:
  Generation noAnswer(const GenerationRequest& request) const;
  std::string support_contact_;
};

}  // namespace chatbot::rag
