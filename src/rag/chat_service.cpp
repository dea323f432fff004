#include "rag/chat_service.h"

#include <chrono>

#include "util/time.h"

namespace chatbot::rag {

ChatService::ChatService(std::shared_ptr<const ingest::KnowledgeIndex> index,
                         std::shared_ptr<const Generator> generator,
                         std::shared_ptr<const security::CredentialFilter> filter, double min_answer_score)
    : index_(std::move(index)),
      generator_(std::move(generator)),
      filter_(std::move(filter)),
      min_answer_score_(min_answer_score) {}

ChatAnswer ChatService::answer(const ChatQuery& query) const {
  ChatAnswer out;
  auto t = std::chrono::steady_clock::now();
  security::Redaction redaction = filter_->redact(query.text);
  out.query = std::move(redaction.text);
  out.redacted_kinds = std::move(redaction.kinds);
  if (!out.redacted_kinds.empty()) {
    out.warnings.emplace_back(
        "Your message looked like it contained a password, key or card number. It was removed before "
        "processing and was not stored. Never share credentials, not even with IT; if it was real, change it now.");
  }
  out.timings.redact_ms = util::millisSince(t);

  t = std::chrono::steady_clock::now();
  const auto hits = index_->retriever().search(out.query, query.top_k);
  out.timings.retrieve_ms = util::millisSince(t);

  const auto& articles = index_->articles();
  std::vector<Source> sources;
  std::vector<Source> related;
  out.results.reserve(hits.size());
  for (const auto& hit : hits) {
    const kb::Article* article = &articles.at(hit.article);
    out.results.push_back({article, hit.score});
    if (hit.score >= min_answer_score_) {
      sources.push_back({article, hit.score});
    } else if (hit.score >= min_answer_score_ / 2) {
      related.push_back({article, hit.score});
    }
  }

  t = std::chrono::steady_clock::now();
  Generation generation = generator_->generate({out.query, sources, related, query.max_tokens});
  out.timings.generate_ms = util::millisSince(t);
  out.response = std::move(generation.text);
  out.context_used = std::move(generation.context_used);
  out.answered = generation.answered;
  out.tokens = generation.tokens;
  out.generator = generator_->kind();
  if (generation.truncated && generation.answered) {
    out.warnings.emplace_back("The answer was shortened to max_tokens; the first search result has the full article.");
  }
  if (!generation.answered) {
    out.warnings.emplace_back("No knowledge-base article matched the question confidently.");
  }
  return out;
}

}  // namespace chatbot::rag
