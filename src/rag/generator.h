#pragma once
// The generation seam: turns a question and retrieved articles into an answer. The extractive
// generator needs no model; an LLM generator (llama.cpp) implements the same interface.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kb/article.h"

namespace chatbot::rag {

struct Source {
  const kb::Article* article;  // owned by the KnowledgeIndex, which outlives the request
  double score;
};

struct GenerationRequest {
  std::string_view query;              // already redacted
  const std::vector<Source>& sources;  // best first; only those above the confidence threshold
  const std::vector<Source>& related;  // weaker matches, for "might be related" hints
  std::size_t max_tokens;
};

struct Generation {
  std::string text;
  std::string context_used;  // the article text the answer was built from ("" when none)
  std::size_t tokens = 0;    // as counted by rag::countTokens
  bool truncated = false;    // cut to fit max_tokens
  bool answered = false;     // false: the KB had no answer and the text says so
};

// Implementations are thread-safe.
class Generator {
 public:
  virtual ~Generator() = default;
  virtual Generation generate(const GenerationRequest& request) const = 0;
  virtual std::string kind() const = 0;   // "extractive", "llama.cpp"
  virtual std::string model() const = 0;  // model identity, "none" without one
};

}  // namespace chatbot::rag
