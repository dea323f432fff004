#include "rag/llm_generator.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <optional>

#include "observability/log.h"
#include "rag/citations.h"
#include "util/text.h"

namespace chatbot::rag {

namespace {

constexpr std::string_view kUserPreamble = "Sources:\n\n";
// Source caps are rounded down to this many tokens so that requests with slightly different
// question lengths still share cached source blocks.
constexpr std::size_t kCapQuantum = 32;

GenerationStatus toStatus(llm::FinishReason reason) {
  switch (reason) {
    case llm::FinishReason::kStop:
    case llm::FinishReason::kLength:
      return GenerationStatus::kOk;
    case llm::FinishReason::kCancelled:
      return GenerationStatus::kCancelled;
    case llm::FinishReason::kTimedOut:
      return GenerationStatus::kTimedOut;
    case llm::FinishReason::kQueueFull:
      return GenerationStatus::kQueueFull;
    case llm::FinishReason::kError:
      return GenerationStatus::kFailed;
  }
  return GenerationStatus::kFailed;
}

// Passes the engine's text on with invented citations removed (see rag/citations.h).
class Relay final : public llm::EngineObserver {
 public:
  Relay(std::shared_ptr<GenerationObserver> observer, std::string context_used,
        std::size_t sources_used)
      : observer_(std::move(observer)),
        context_used_(std::move(context_used)),
        sources_used_(sources_used),
        citations_(sources_used) {}
  void onText(std::string_view text) override {
    const std::string kept = citations_.feed(text);
    if (!kept.empty()) {
      text_ += kept;
      observer_->onDelta(kept);
    }
  }
  bool cancelled() const override { return observer_->cancelled(); }
  void onFinish(llm::EngineResult result) override {
    const std::string rest = citations_.finish();
    if (!rest.empty()) {
      text_ += rest;
      observer_->onDelta(rest);
    }
    Generation g;
    g.text = std::move(text_);
    g.context_used = std::move(context_used_);
    g.sources_used = sources_used_;
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
  std::size_t sources_used_;
  CitationFilter citations_;  // scheduler thread only
  std::string text_;
};

// Collects a rewrite's text for a waiting thread.
class RewriteObserver final : public llm::EngineObserver {
 public:
  void onText(std::string_view text) override { (void)text; }
  void onFinish(llm::EngineResult result) override { promise.set_value(std::move(result)); }
  bool cancelled() const override { return abandoned.load(); }
  std::promise<llm::EngineResult> promise;
  std::atomic<bool> abandoned{false};
};

// Earlier turns as a prompt shows them (questions only when max_answer_chars is 0); answers are
// cut so a long history cannot crowd out the sources (the whole tail still has to fit the context).
std::string renderHistory(const std::vector<PriorTurn>& history, std::size_t max_answer_chars) {
  std::string out;
  for (const auto& turn : history) {
    out += "User: " + turn.question + "\n";
    if (max_answer_chars == 0) continue;
    std::string answer = turn.answer.substr(0, max_answer_chars);
    if (answer.size() < turn.answer.size()) answer += "...";
    out += "Assistant: " + answer + "\n";
  }
  return out;
}

class PromiseObserver final : public GenerationObserver {
 public:
  void onDone(Generation generation) override { promise.set_value(std::move(generation)); }
  std::promise<Generation> promise;
};

}  // namespace

std::string LlmGenerator::systemPrompt(const std::string& support_contact) {
  return "You are an IT support assistant for the employees of this company. Answer the question "
         "using only the "
         "numbered sources given with it. Cite the sources you use by their number, like [1]. If "
         "the sources do not "
         "answer the question, say that the knowledge base does not cover it and suggest "
         "contacting " +
         support_contact +
         ". Give short, numbered steps when there are steps. Do not guess, and never ask for or "
         "repeat passwords.";
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

std::optional<llm::EngineRequest> LlmGenerator::buildJob(const GenerationRequest& request,
                                                         std::string& context_used,
                                                         std::string& error) const {
  llm::EngineRequest job;
  std::string tail;
  if (!request.history.empty()) {
    tail = "Earlier in this conversation:\n" + renderHistory(request.history, 400) + "\n";
  }
  tail += "Question: " + request.query + "\n";
  job.tail = engine_->tokenizeText(tail);
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
      const std::string text =
          "[" + std::to_string(number) + "] " + article.subject + "\n" + article.body;
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

std::optional<std::string> LlmGenerator::rewriteFollowUp(const std::vector<PriorTurn>& history,
                                                         std::string_view question,
                                                         std::chrono::milliseconds timeout) const {
  // Rides on the shared prefix (its instructions are about answering, which does not hurt a
  // rewrite) with no source blocks, so it costs only the conversation's tokens.
  llm::EngineRequest job;
  constexpr std::size_t kMaxRewriteTokens = 48;
  const auto suffix = engine_->tokenizeTemplate(engine_->format().suffix);
  // The earlier answers help to resolve "it" and "that", but the questions carry the topic: when
  // the context is short, the answers are cut shorter, then left out.
  for (const std::size_t answer_chars : {std::size_t{160}, std::size_t{60}, std::size_t{0}}) {
    job.tail = engine_->tokenizeText(
        "(none)\n\nRewrite the last user message as a standalone question. Reply with "
        "the question only.\n\n" +
        renderHistory(history, answer_chars) + "User: " + std::string(question) + "\n");
    job.tail.insert(job.tail.end(), suffix.begin(), suffix.end());
    if (engine_->prefixTokens() + job.tail.size() + kMaxRewriteTokens + 1 <=
        engine_->contextPerSequence()) {
      break;
    }
    if (answer_chars == 0) {
      log::debug("llm.rewrite_skipped", {{"reason", "the conversation does not fit the context"}});
      return std::nullopt;
    }
  }
  job.max_tokens = kMaxRewriteTokens;
  job.sampling.temperature = 0;  // greedy: the same conversation always searches the same way
  job.deadline = std::chrono::steady_clock::now() + timeout;
  auto observer = std::make_shared<RewriteObserver>();
  auto result = observer->promise.get_future();
  job.observer = observer;
  engine_->submit(std::move(job));
  if (result.wait_for(timeout + std::chrono::milliseconds(500)) != std::future_status::ready) {
    observer->abandoned = true;  // the engine finishes it as cancelled; nobody waits for it
    return std::nullopt;
  }
  const llm::EngineResult r = result.get();
  log::debug("llm.rewrite",
             {{"tokens", r.tokens}, {"text", r.text}, {"reason", static_cast<int>(r.reason)}});
  if (r.reason != llm::FinishReason::kStop && r.reason != llm::FinishReason::kLength) {
    return std::nullopt;
  }
  // The first non-empty line, without a "Question:" label or quotes the model may add.
  std::string_view text = r.text;
  text.remove_prefix(std::min(text.size(), text.find_first_not_of(" \t\r\n")));
  std::string line(util::trim(text.substr(0, text.find('\n'))));
  for (std::string_view label : {"Question:", "Standalone question:", "Rewritten question:"}) {
    if (line.rfind(label, 0) == 0) {
      line = std::string(util::trim(std::string_view(line).substr(label.size())));
    }
  }
  if (line.size() >= 2 && line.front() == '"' && line.back() == '"') {
    line = line.substr(1, line.size() - 2);
  }
  line = std::string(util::trim(line));
  if (line.size() < 3 || line.size() > 2 * question.size() + 300) return std::nullopt;
  return line;
}

std::vector<int> LlmGenerator::promptTokens(const GenerationRequest& request) const {
  std::string context_used;
  std::string error;
  const auto job = buildJob(request, context_used, error);
  if (!job) return {};
  std::vector<int> tokens = engine_->prefix();
  for (const auto& block : job->blocks) {
    tokens.insert(tokens.end(), block.tokens.begin(), block.tokens.end());
  }
  tokens.insert(tokens.end(), job->tail.begin(), job->tail.end());
  return tokens;
}

void LlmGenerator::generateAsync(GenerationRequest request,
                                 std::shared_ptr<GenerationObserver> observer) const {
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
  const std::size_t sources_used = job->blocks.size();
  job->observer =
      std::make_shared<Relay>(std::move(observer), std::move(context_used), sources_used);
  engine_->submit(std::move(*job));
}

Generation LlmGenerator::generate(const GenerationRequest& request) const {
  auto observer = std::make_shared<PromiseObserver>();
  auto result = observer->promise.get_future();
  generateAsync(request, observer);
  return result.get();
}

}  // namespace chatbot::rag
