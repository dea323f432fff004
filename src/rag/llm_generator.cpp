#include "rag/llm_generator.h"

#include <algorithm>
#include <future>
#include <optional>

namespace chatbot::rag {

namespace {

constexpr std::string_view kUserPreamble = "Sources:\n\n";
// Source caps are rounded down to this many tokens so that requests with slightly different
// question lengths still share cached source blocks.
constexpr std::size_t kCapQuantum = 32;

GenerationStatus toStatus(llm::FinishReason reason) {
  switch (reason) {
    case llm::FinishReason::kStop:
    case llm::FinishReason::kLength: return GenerationStatus::kOk;
    case llm::FinishReason::kCancelled: return GenerationStatus::kCancelled;
    case llm::FinishReason::kTimedOut: return GenerationStatus::kTimedOut;
    case llm::FinishReason::kQueueFull: return GenerationStatus::kQueueFull;
    case llm::FinishReason::kError: return GenerationStatus::kFailed;
  }
  return GenerationStatus::kFailed;
}

class Relay final : public llm::EngineObserver {
 public:
  Relay(std::shared_ptr<GenerationObserver> observer, std::string context_used)
      : observer_(std::move(observer)), context_used_(std::move(context_used)) {}
  void onText(std::string_view text) override { observer_->onDelta(text); }
  bool cancelled() const override { return observer_->cancelled(); }
  void onFinish(llm::EngineResult result) override {
    Generation g;
    g.text = std::move(result.text);
    g.context_used = std::move(context_used_);
    g.tokens = result.tokens;
    g.prompt_tokens = result.prompt_tokens;
    g.truncated = result.reason == llm::FinishReason::kLength;
    g.answered = true;
    g.status = toStatus(result.reason);
    g.error = std::move(result.error);
    g.first_token_ms = result.first_token_ms;
    observer_->onDone(std::move(g));
  }

 private:
  std::shared_ptr<GenerationObserver> observer_;
  std::string context_used_;
};

class PromiseObserver final : public GenerationObserver {
 public:
  void onDone(Generation generation) override { promise.set_value(std::move(generation)); }
  std::promise<Generation> promise;
};

}  // namespace

std::string LlmGenerator::systemPrompt(const std::string& support_contact) {
  return "You are an IT support assistant for the employees of this company. Answer the question using only the "
         "numbered sources given with it. Cite the sources you use by their number, like [1]. If the sources do not "
         "answer the question, say that the knowledge base does not cover it and suggest contacting " +
         support_contact +
         ". Give short, numbered steps when there are steps. Do not guess, and never ask for or repeat passwords.";
}

LlmGenerator::LlmGenerator(LlmGeneratorOptions options) : options_(std::move(options)) {
  options_.engine.system_prompt = systemPrompt(options_.support_contact);
  options_.engine.user_preamble = std::string(kUserPreamble);
  engine_ = std::make_unique<llm::LlamaEngine>(options_.engine);
}

GeneratorStatus LlmGenerator::status() const {
  const auto s = engine_->status();
  GeneratorStatus out;
  out.kind = kind();
  out.model = s.model;
  out.context = s.context;
  out.slots = s.slots;
  out.slots_busy = s.slots_busy;
  out.queue_depth = s.queue_depth;
  out.queue_capacity = s.queue_capacity;
  return out;
}

std::optional<llm::EngineRequest> LlmGenerator::buildJob(const GenerationRequest& request, std::string& context_used,
                                                        std::string& error) const {
  llm::EngineRequest job;
  job.tail = engine_->tokenizeText("Question: " + request.query + "\n");
  const auto suffix = engine_->tokenizeTemplate(engine_->format().suffix);
  job.tail.insert(job.tail.end(), suffix.begin(), suffix.end());

  // What is left for sources once the prefix, the question and the answer are reserved.
  const std::size_t context = engine_->contextPerSequence();
  const std::size_t reserved = engine_->prefixTokens() + job.tail.size() + request.max_tokens + 1;
  if (reserved >= context) {
    error = "the question and max_tokens leave no room for sources in the context";
    return std::nullopt;
  }
  const std::size_t available = context - reserved;
  if (!request.sources.empty()) {
    std::size_t cap = available / request.sources.size();
    cap = std::max(kCapQuantum, cap / kCapQuantum * kCapQuantum);
    std::size_t number = 1;
    std::size_t used = 0;
    for (const auto& source : request.sources) {
      const kb::Article& article = *source.article;
      const std::string text = "[" + std::to_string(number) + "] " + article.subject + "\n" + article.body;
      llm::PromptBlock block;
      block.tokens = engine_->tokenizeText(text);
      const auto separator = engine_->tokenizeText("\n\n");
      const std::size_t body_cap = cap > separator.size() ? cap - separator.size() : cap;
      if (block.tokens.size() > body_cap) block.tokens.resize(body_cap);
      block.tokens.insert(block.tokens.end(), separator.begin(), separator.end());
      if (used + block.tokens.size() > available) break;
      used += block.tokens.size();
      block.key = article.id + "#" + std::to_string(number) + "@" + std::to_string(cap);
      context_used += (context_used.empty() ? "" : "\n\n") + text;
      job.blocks.push_back(std::move(block));
      ++number;
    }
  }
  job.max_tokens = request.max_tokens;
  job.sampling.temperature = request.temperature.value_or(options_.temperature);
  job.sampling.top_p = request.top_p.value_or(options_.top_p);
  job.sampling.seed = request.seed.value_or(options_.seed);
  return job;
}

std::vector<int> LlmGenerator::promptTokens(const GenerationRequest& request) const {
  std::string context_used;
  std::string error;
  const auto job = buildJob(request, context_used, error);
  if (!job) return {};
  std::vector<int> tokens = engine_->prefix();
  for (const auto& block : job->blocks) tokens.insert(tokens.end(), block.tokens.begin(), block.tokens.end());
  tokens.insert(tokens.end(), job->tail.begin(), job->tail.end());
  return tokens;
}

void LlmGenerator::generateAsync(GenerationRequest request, std::shared_ptr<GenerationObserver> observer) const {
  std::string context_used;
  std::string error;
  auto job = buildJob(request, context_used, error);
  if (!job) {
    Generation g;
    g.status = GenerationStatus::kFailed;
    g.error = std::move(error);
    observer->onDone(std::move(g));
    return;
  }
  job->deadline = std::chrono::steady_clock::now() + options_.timeout;
  job->observer = std::make_shared<Relay>(std::move(observer), std::move(context_used));
  engine_->submit(std::move(*job));
}

Generation LlmGenerator::generate(const GenerationRequest& request) const {
  auto observer = std::make_shared<PromiseObserver>();
  auto result = observer->promise.get_future();
  generateAsync(request, observer);
  return result.get();
}

}  // namespace chatbot::rag
