#pragma once
// The RAG pipeline behind POST /chat: redact credentials, retrieve, decide whether the knowledge
// base answers the question, generate. Transport-agnostic (used by the HTTP API, `chatbot ask`
// and tests). Thread-safe: answer() may run concurrently; all members are immutable.
#include <memory>
#include <string>
#include <vector>

#include "ingest/knowledge_index.h"
#include "rag/generator.h"
#include "security/credential_filter.h"

namespace chatbot::rag {

struct ChatQuery {
  std::string text;  // valid UTF-8, non-empty, within limits (validated by the caller)
  std::size_t top_k = 4;
  std::size_t max_tokens = 150;
};

struct RetrievedArticle {
  const kb::Article* article;
  double score;
};

struct StageTimings {
  double redact_ms = 0;
  double retrieve_ms = 0;
  double generate_ms = 0;
};

struct ChatAnswer {
  std::string response;
  std::string query;  // the query as processed: secrets replaced by [REDACTED]
  std::string context_used;
  std::vector<RetrievedArticle> results;  // best first, at most top_k
  std::vector<std::string> warnings;
  std::vector<std::string> redacted_kinds;
  std::string generator;  // e.g. "extractive"
  bool answered = false;
  std::size_t tokens = 0;
  StageTimings timings;
};

class ChatService {
 public:
  ChatService(std::shared_ptr<const ingest::KnowledgeIndex> index, std::shared_ptr<const Generator> generator,
              std::shared_ptr<const security::CredentialFilter> filter, double min_answer_score);

  ChatAnswer answer(const ChatQuery& query) const;

  const ingest::KnowledgeIndex& index() const noexcept { return *index_; }
  const Generator& generator() const noexcept { return *generator_; }
  const security::CredentialFilter& filter() const noexcept { return *filter_; }

 private:
  std::shared_ptr<const ingest::KnowledgeIndex> index_;
  std::shared_ptr<const Generator> generator_;
  std::shared_ptr<const security::CredentialFilter> filter_;
  double min_answer_score_;
};

}  // namespace chatbot::rag
