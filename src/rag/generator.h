#pragma once
// The generation seam: turns a question and retrieved articles into an answer. The extractive
// generator needs no model; the llama.cpp chat generator implements the same interface.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/article.h"
#include "rag/follow_up.h"

namespace chatbot::rag {

struct Source {
  const kb::Article* article;  // owned by the KnowledgeIndex, which outlives the request
  double score;
};

// Owns everything it refers to except the articles, so it can cross threads.
struct GenerationRequest {
  std::string query;            // already redacted
  std::vector<Source> sources;  // best first; only those above the confidence threshold
  std::vector<Source> related;  // weaker matches, for "might be related" hints
  std::size_t max_tokens = 150;
  std::optional<double> temperature;  // unset: the generator's configured default
  std::optional<double> top_p;
  std::optional<std::uint32_t> seed;
  std::vector<PriorTurn> history;  // recent turns of the conversation, oldest first (redacted)
};

enum class GenerationStatus {
  kOk,
  kQueueFull,  // no slot and no queue room: the caller should answer 503 + Retry-After
  kTimedOut,   // deadline passed; `text` holds what was generated so far
  kCancelled,  // the observer asked to stop (client gone)
  kFailed,     // the engine failed; `error` says why (for logs, never for clients)
};

struct Generation {
  std::string text;
  std::string context_used;  // the article text the answer was built from ("" when none)
  std::size_t tokens = 0;    // extractive: rag::countTokens; LLM: model tokens generated
  std::size_t prompt_tokens = 0;
  bool truncated = false;  // cut to fit max_tokens
  bool answered = false;   // false: the KB had no answer and the text says so
  GenerationStatus status = GenerationStatus::kOk;
  std::string error;
  double first_token_ms = 0;  // from submission to the first generated token (LLM only)
  // How many of the request's sources the text was built from (numbered [1]..[n]); citations of
  // other numbers have been removed from `text`.
  std::size_t sources_used = 0;
};

// Receives one generation's progress. For one generation the calls never overlap and come in
// order: onDelta* then exactly one onDone. They may come from the generator's own thread, so they
// must be quick and must not call back into the generator synchronously.
class GenerationObserver {
 public:
  virtual ~GenerationObserver() = default;
  virtual void onDelta(std::string_view text) {
    (void)text;
  }  // appended text, whole UTF-8 characters
  virtual void onDone(Generation generation) = 0;
  // Polled between tokens; true stops the generation (status kCancelled).
  virtual bool cancelled() const { return false; }
};

// What /health shows about a generator.
struct GeneratorStatus {
  std::string kind;         // "extractive", "llama.cpp"
  std::string model;        // model identity, "none" without one
  std::size_t context = 0;  // tokens per sequence
  std::size_t slots = 0;
  std::size_t slots_busy = 0;
  std::size_t queue_depth = 0;
  std::size_t queue_capacity = 0;
};

// Implementations are thread-safe.
class Generator {
 public:
  virtual ~Generator() = default;
  // Blocks until the answer is complete.
  virtual Generation generate(const GenerationRequest& request) const = 0;
  // Returns at once when the generator has its own thread; the default runs generate() inline and
  // reports the whole text as one delta.
  virtual void generateAsync(GenerationRequest request,
                             std::shared_ptr<GenerationObserver> observer) const;
  virtual std::string kind() const = 0;   // "extractive", "llama.cpp"
  virtual std::string model() const = 0;  // model identity, "none" without one
  // True when generateAsync() does not run on the calling thread.
  virtual bool asynchronous() const { return false; }
  virtual GeneratorStatus status() const { return {kind(), model()}; }
  // Rewrites a follow-up question into a standalone one using the conversation, or nullopt when
  // this generator cannot (the caller then uses resolveFollowUp). Blocks up to `timeout`.
  virtual std::optional<std::string> rewriteFollowUp(const std::vector<PriorTurn>& history,
                                                     std::string_view question,
                                                     std::chrono::milliseconds timeout) const {
    (void)history, (void)question, (void)timeout;
    return std::nullopt;
  }
};

}  // namespace chatbot::rag
