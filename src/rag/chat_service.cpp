#include "rag/chat_service.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>

#include "util/time.h"

namespace chatbot::rag {

namespace {

// Adapts one generation's progress to the answer's observer and finishes the answer.
class GenerationRelay final : public GenerationObserver {
 public:
  GenerationRelay(ChatAnswer prepared, GenerationRequest request,
                  std::shared_ptr<AnswerObserver> observer,
                  std::shared_ptr<const Generator> generator,
                  std::shared_ptr<const Generator> fallback)
      : answer_(std::move(prepared)),
        request_(std::move(request)),
        observer_(std::move(observer)),
        generator_(std::move(generator)),
        fallback_(std::move(fallback)) {}

  void onDelta(std::string_view text) override { observer_->onDelta(text); }
  bool cancelled() const override { return observer_->cancelled(); }

  void onDone(Generation generation) override {
    answer_.timings.generate_ms = util::millisSince(started_);
    answer_.timings.first_token_ms = generation.first_token_ms;
    answer_.generator = generator_->model() == "none" ? generator_->kind() : generator_->model();
    const bool failed = generation.status == GenerationStatus::kTimedOut ||
                        generation.status == GenerationStatus::kFailed;
    if (generation.status == GenerationStatus::kQueueFull) {
      answer_.failure = Error::overloaded();
    } else if (failed && fallback_) {
      // The model could not answer in time: the extractive answer is still grounded and useful.
      answer_.warnings.emplace_back(generation.status == GenerationStatus::kTimedOut
                                        ? "The generated answer took too long; this answer is "
                                          "taken from the articles directly."
                                        : "The answer could not be generated; this answer is taken "
                                          "from the articles directly.");
      answer_.fell_back = true;
      answer_.prompt_tokens = generation.prompt_tokens;
      generation = fallback_->generate(request_);
      answer_.generator = fallback_->kind();
    }
    answer_.response = std::move(generation.text);
    answer_.context_used = std::move(generation.context_used);
    answer_.answered = generation.answered;
    answer_.tokens = generation.tokens;
    answer_.sources_used = std::min(generation.sources_used, answer_.results.size());
    if (!answer_.fell_back) answer_.prompt_tokens = generation.prompt_tokens;
    if (generation.truncated && generation.answered) {
      answer_.warnings.emplace_back(
          "The answer was shortened to max_tokens; the first search result has the full article.");
    }
    if (!generation.answered && !answer_.failure) {
      answer_.warnings.emplace_back("No knowledge-base article matched the question confidently.");
    }
    observer_->onComplete(std::move(answer_));
  }

 private:
  ChatAnswer answer_;
  GenerationRequest request_;
  std::shared_ptr<AnswerObserver> observer_;
  std::shared_ptr<const Generator> generator_;
  std::shared_ptr<const Generator> fallback_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

class PromiseObserver final : public AnswerObserver {
 public:
  void onComplete(ChatAnswer answer) override { promise.set_value(std::move(answer)); }
  std::promise<ChatAnswer> promise;
};

}  // namespace

ChatService::ChatService(ChatServiceParts parts) : parts_(std::move(parts)) {
  if (parts_.pipeline_threads > 0) {
    pipeline_ = std::make_unique<util::WorkerPool>(parts_.pipeline_threads);
  }
}

ChatService::ChatService(std::shared_ptr<const ingest::KnowledgeIndex> index,
                         std::shared_ptr<const Generator> generator,
                         std::shared_ptr<const security::CredentialFilter> filter,
                         double min_answer_score)
    : ChatService(ChatServiceParts{std::move(index), nullptr, std::move(generator), nullptr,
                                   std::move(filter), min_answer_score, 0}) {}

const retrieval::Retriever& ChatService::retriever() const noexcept {
  return parts_.retriever ? *parts_.retriever : parts_.index->retriever();
}

bool ChatService::asynchronous() const noexcept {
  return pipeline_ != nullptr || parts_.generator->asynchronous();
}

ChatAnswer ChatService::redact(const std::string& text) const {
  ChatAnswer out;
  const auto t = std::chrono::steady_clock::now();
  security::Redaction redaction = parts_.filter->redact(text);
  out.query = std::move(redaction.text);
  out.redacted_kinds = std::move(redaction.kinds);
  if (!out.redacted_kinds.empty()) {
    out.warnings.emplace_back(
        "Your message looked like it contained a password, key or card number. It was removed "
        "before processing and was not stored. Never share credentials, not even with IT; if it "
        "was real, change it now.");
  }
  out.timings.redact_ms = util::millisSince(t);
  out.standalone_query = out.query;
  return out;
}

void ChatService::resolveStandalone(const std::vector<PriorTurn>& history, ChatAnswer& out) const {
  if (history.empty()) return;
  FollowUpResolution follow_up = resolveFollowUp(out.query, history);
  if (!follow_up.rewritten) return;
  // Only a question the rules see as a follow-up is worth a model's time.
  std::optional<std::string> by_model;
  if (parts_.llm_rewrites_follow_ups && parts_.generator->asynchronous()) {
    by_model = parts_.generator->rewriteFollowUp(history, out.query, parts_.rewrite_timeout);
  }
  out.standalone_query =
      by_model ? parts_.filter->redact(*by_model).text : std::move(follow_up.standalone);
  out.rewritten_by = by_model ? "llm" : "rules";
}

std::vector<retrieval::Hit> ChatService::search(const std::string& standalone,
                                                std::size_t top_k) const {
  // The confidence of the last hit shown depends on the one after it (its lead): look one
  // further than asked.
  auto hits =
      retriever().search(standalone, parts_.confidence ? std::max<std::size_t>(top_k, 2) : top_k);
  if (parts_.confidence) {
    parts_.confidence->score(standalone, hits);
    if (hits.size() > top_k) hits.resize(top_k);
  }
  return hits;
}

bool ChatService::outOfScope(const std::string& standalone, const std::vector<retrieval::Hit>& hits,
                             bool confident, ChatAnswer& out) const {
  if (!parts_.out_of_scope) return false;
  const auto found = parts_.out_of_scope->match(standalone);
  if (found.topic == nullptr) return false;
  // A confident answer stands when its article itself speaks of the topic ("leave" in an article
  // about leavers does not count: every word of the phrase must be there).
  if (confident && !hits.empty()) {
    const auto& terms = *parts_.index->termStatistics();
    const bool mentions = std::all_of(
        found.phrase->begin(), found.phrase->end(),
        [&](const std::string& word) { return terms.inArticle(hits.front().article, word); });
    if (mentions) return false;
  }
  out.intent = Intent::kOutOfScope;
  out.response = intentReply(out.intent, parts_.support_contact, found.topic);
  out.results.clear();
  return true;
}

ChatAnswer ChatService::prepare(const ChatQuery& query, GenerationRequest& request) const {
  ChatAnswer out = redact(query.text);
  out.intent = detectIntent(out.query);
  if (out.intent != Intent::kNone) {
    out.response = intentReply(out.intent, parts_.support_contact);
    return out;  // nothing to search for
  }
  out.reports_failure = reportsFailure(out.query);
  resolveStandalone(query.history, out);

  const auto t = std::chrono::steady_clock::now();
  const auto hits = search(out.standalone_query, query.top_k);
  out.timings.retrieve_ms = util::millisSince(t);

  const auto& articles = parts_.index->articles();
  const double threshold = parts_.min_answer_score;
  out.results.reserve(hits.size());
  for (const auto& hit : hits) {
    const kb::Article* article = &articles.at(hit.article);
    out.results.push_back({article, hit.score});
    if (hit.score >= threshold) {
      request.sources.push_back({article, hit.score});
    } else if (hit.score >= threshold / 2) {
      request.related.push_back({article, hit.score});
    }
  }
  if (outOfScope(out.standalone_query, hits, !request.sources.empty(), out)) return out;
  request.query = out.query;
  request.history = query.history;
  request.max_tokens = query.max_tokens;
  request.temperature = query.temperature;
  request.top_p = query.top_p;
  request.seed = query.seed;
  return out;
}

void ChatService::generate(ChatAnswer prepared, GenerationRequest request,
                           std::shared_ptr<AnswerObserver> observer) const {
  observer->onSources(prepared);
  // With no confident source there is nothing for a model to ground an answer in: the fallback
  // (extractive) generator says so and points to related articles and the service desk.
  const auto& generator =
      request.sources.empty() && parts_.fallback ? parts_.fallback : parts_.generator;
  auto relay = std::make_shared<GenerationRelay>(std::move(prepared), request, std::move(observer),
                                                 generator, parts_.fallback);
  generator->generateAsync(std::move(request), std::move(relay));
}

void ChatService::replyToIntent(ChatAnswer prepared, AnswerObserver& observer) const {
  prepared.generator = "rules";
  prepared.answered = false;
  observer.onSources(prepared);
  observer.onDelta(prepared.response);  // a stream shows it like any other answer
  observer.onComplete(std::move(prepared));
}

void ChatService::answerAsync(ChatQuery query, std::shared_ptr<AnswerObserver> observer) const {
  auto run = [this, query = std::move(query), observer = std::move(observer)]() mutable {
    GenerationRequest request;
    ChatAnswer prepared = prepare(query, request);
    if (prepared.intent != Intent::kNone) {
      replyToIntent(std::move(prepared), *observer);
      return;
    }
    if (observer->cancelled()) {
      observer->onComplete(std::move(prepared));
      return;
    }
    generate(std::move(prepared), std::move(request), std::move(observer));
  };
  if (pipeline_) {
    pipeline_->post(std::move(run));
  } else {
    run();
  }
}

ChatAnswer ChatService::answer(const ChatQuery& query) const {
  auto observer = std::make_shared<PromiseObserver>();
  auto result = observer->promise.get_future();
  answerAsync(query, observer);
  return result.get();
}

}  // namespace chatbot::rag
