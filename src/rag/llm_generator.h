#pragma once
// Answers written by a local chat model (llama.cpp) from the retrieved articles. The prompt numbers
// the sources, tells the model to answer only from them, to cite them as [n] and to say so when
// they do not answer. Token budget: prefix + sources + question + max_tokens always fit the
// per-sequence context; sources are cut by model tokens, never by characters.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "llm/llama_engine.h"
#include "rag/generator.h"

namespace chatbot::rag {

struct LlmGeneratorOptions {
  llm::EngineOptions engine;  // system_prompt and user_preamble are filled in by the generator
  std::string support_contact;
  double temperature = 0.2;
  double top_p = 0.95;
  std::uint32_t seed = 0;
  std::chrono::milliseconds timeout{60'000};
};

// Thread-safe: generateAsync() may be called from any thread; the engine's scheduler thread
// calls the observers.
class LlmGenerator final : public Generator {
 public:
  // Loads the model and evaluates the shared prompt prefix. Throws llm::ModelLoadError.
  explicit LlmGenerator(LlmGeneratorOptions options);

  Generation generate(const GenerationRequest& request) const override;
  void generateAsync(GenerationRequest request,
                     std::shared_ptr<GenerationObserver> observer) const override;
  std::string kind() const override { return "llama.cpp"; }
  std::string model() const override { return engine_->modelName(); }
  bool asynchronous() const override { return true; }
  GeneratorStatus status() const override;
  std::optional<std::string> rewriteFollowUp(const std::vector<PriorTurn>& history,
                                             std::string_view question,
                                             std::chrono::milliseconds timeout) const override;

  // The instructions every prompt starts with (exposed for tests and docs).
  static std::string systemPrompt(const std::string& support_contact);

  // The whole prompt of `request` as one token sequence (shared prefix, sources, question,
  // assistant header), as a server without a source cache reads it: bench/llm_compare.sh sends
  // exactly these tokens to llama-server. Empty when the question leaves no room for sources.
  std::vector<int> promptTokens(const GenerationRequest& request) const;

 private:
  // The engine request for `request`, sources cut to fit the context; nullopt with `error` set
  // when nothing fits.
  std::optional<llm::EngineRequest> buildJob(const GenerationRequest& request,
                                             std::string& context_used, std::string& error) const;

  LlmGeneratorOptions options_;
  std::unique_ptr<llm::LlamaEngine> engine_;
};

}  // namespace chatbot::rag
