#pragma once
// The RAG pipeline behind POST /chat: redact credentials, retrieve, decide whether the knowledge
// base answers the question, generate. Transport-agnostic (used by the HTTP API, `chatbot ask`
// and tests). Thread-safe: answer() and answerAsync() may run concurrently; members are immutable.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/knowledge_index.h"
#include "llm/embedder.h"
#include "rag/generator.h"
#include "rag/intents.h"
#include "retrieval/answer_confidence.h"
#include "retrieval/retriever.h"
#include "security/credential_filter.h"
#include "util/error.h"
#include "util/worker_pool.h"

namespace chatbot::rag {

struct ChatQuery {
  std::string text;  // valid UTF-8, non-empty, within limits (validated by the caller)
  std::size_t top_k = 4;
  std::size_t max_tokens = 150;
  std::optional<double> temperature;  // unset: the generator's default
  std::optional<double> top_p;
  std::optional<std::uint32_t> seed;
  std::vector<PriorTurn> history;  // earlier turns of the conversation, oldest first (redacted)
};

struct RetrievedArticle {
  const kb::Article* article;
  double score;
};

struct StageTimings {
  double redact_ms = 0;
  double retrieve_ms = 0;
  double generate_ms = 0;
  double first_token_ms = 0;  // LLM only: submission to first token
};

// Where an answer sits in its conversation; filled in by the conversation layer
// (support::SupportService) after the exchange was stored, empty without one.
struct ConversationInfo {
  std::string session_id;
  std::string message_id;
  bool new_session = false;  // this answer started the conversation
  bool stored = false;       // committed: the reply may be acknowledged
  bool escalation_suggested = false;
  std::string escalation_reason;
  std::string escalation_message;
};

struct ChatAnswer {
  std::string response;
  std::string query;  // the query as processed: secrets replaced by [REDACTED]
  std::string
      standalone_query;  // what retrieval searched for: `query`, or it rewritten with the history
  std::string rewritten_by;      // "", "rules" or "llm"
  bool reports_failure = false;  // the user says an earlier answer did not work
  // Small talk, a request for a person or a ticket, or a topic outside IT: answered by a fixed
  // reply (rag/intents.h), not from the knowledge base.
  Intent intent = Intent::kNone;
  std::size_t sources_used =
      0;  // results [0, sources_used) were given to the generator, numbered from 1
  std::string context_used;
  std::vector<RetrievedArticle> results;  // best first, at most top_k
  std::vector<std::string> warnings;
  std::vector<std::string> redacted_kinds;
  std::string generator;  // "extractive" or the model that answered
  bool answered = false;
  // Set when there is no answer to give: the generator's queue was full (overloaded), or the
  // exchange could not be stored and so must not be acknowledged (storage_unavailable).
  std::optional<Error> failure;
  bool fell_back = false;  // the LLM failed or timed out and the extractive answer was used
  std::size_t tokens = 0;
  std::size_t prompt_tokens = 0;
  StageTimings timings;
  ConversationInfo conversation;
  bool history_requested = false;  // the question named a conversation (session_id) to continue
};

// Receives one answer's progress: onSources, then onDelta*, then exactly one onComplete. Calls for
// one answer never overlap; they may come from the service's or the generator's threads.
class AnswerObserver {
 public:
  virtual ~AnswerObserver() = default;
  // After retrieval, before generation: query, results and warnings are set; response is not.
  virtual void onSources(const ChatAnswer& partial) { (void)partial; }
  virtual void onDelta(std::string_view text) { (void)text; }
  virtual void onComplete(ChatAnswer answer) = 0;
  // Polled while working; true abandons the answer (onComplete still comes, with no guarantees
  // about its content).
  virtual bool cancelled() const { return false; }
};

struct ChatServiceParts {
  std::shared_ptr<const ingest::KnowledgeIndex> index;
  std::shared_ptr<const retrieval::Retriever> retriever;  // null: the index's lexical retriever
  std::shared_ptr<const Generator> generator;
  std::shared_ptr<const Generator>
      fallback;  // answers when `generator` fails or times out; may be null
  std::shared_ptr<const security::CredentialFilter> filter;
  double min_answer_score = 0.35;
  // Turns the engine's scores into the probability that each article answers; null: the
  // engine's scores are used as they are.
  std::shared_ptr<const retrieval::AnswerConfidence> confidence;
  // Topics outside IT and who handles them, for questions the knowledge base cannot answer;
  // null: none.
  std::shared_ptr<const OutOfScopeTopics> out_of_scope;
  // How to reach the IT service desk, for the reply to someone asking for a person.
  std::string support_contact;
  // Whether a loaded LLM rewrites follow-up questions for retrieval (else rules only), and how
  // long it may take before the rules' rewrite is used.
  bool llm_rewrites_follow_ups = true;
  std::chrono::milliseconds rewrite_timeout{5000};
  // > 0: retrieval runs on a pool of this many threads (needed when it blocks on an embedder);
  // 0: on the caller's thread.
  std::size_t pipeline_threads = 0;
  std::shared_ptr<const llm::Embedder> embedder;  // for status only; null without dense retrieval
  // Why a configured model is not in use (and the command that fixes it); empty when all is well.
  std::string generator_problem;
  std::string embedding_problem;
};

class ChatService {
 public:
  explicit ChatService(ChatServiceParts parts);
  ChatService(std::shared_ptr<const ingest::KnowledgeIndex> index,
              std::shared_ptr<const Generator> generator,
              std::shared_ptr<const security::CredentialFilter> filter, double min_answer_score);

  // Blocks until the answer is complete. Not for HTTP threads when asynchronous().
  ChatAnswer answer(const ChatQuery& query) const;
  // Returns at once when asynchronous(); otherwise the observer has been called when it returns.
  void answerAsync(ChatQuery query, std::shared_ptr<AnswerObserver> observer) const;
  // True when answering may block (embedder, LLM): callers on latency-sensitive threads must use
  // answerAsync().
  bool asynchronous() const noexcept;

  const ingest::KnowledgeIndex& index() const noexcept { return *parts_.index; }
  const retrieval::Retriever& retriever() const noexcept;
  const Generator& generator() const noexcept { return *parts_.generator; }
  const security::CredentialFilter& filter() const noexcept { return *parts_.filter; }
  const ChatServiceParts& parts() const noexcept { return parts_; }

 private:
  // Redaction and retrieval; fills everything but the generated fields.
  ChatAnswer prepare(const ChatQuery& query, GenerationRequest& request) const;
  // The answer's start: the query with secrets redacted (and a warning when there were some).
  ChatAnswer redact(const std::string& text) const;
  // A follow-up question made standalone with the conversation (by the LLM or by rules).
  void resolveStandalone(const std::vector<PriorTurn>& history, ChatAnswer& out) const;
  // True (and `out` is the reply) when `standalone` names a topic outside IT that the answer
  // (`confident`: there is one, from hits.front()) does not itself speak of.
  bool outOfScope(const std::string& standalone, const std::vector<retrieval::Hit>& hits,
                  bool confident, ChatAnswer& out) const;
  // The top_k hits for `standalone`, scored by the answer confidence when there is one.
  std::vector<retrieval::Hit> search(const std::string& standalone, std::size_t top_k) const;
  void generate(ChatAnswer prepared, GenerationRequest request,
                std::shared_ptr<AnswerObserver> observer) const;
  // Finishes an answer that is a fixed reply (ChatAnswer::intent), without a generator.
  void replyToIntent(ChatAnswer prepared, AnswerObserver& observer) const;

  ChatServiceParts parts_;
  std::unique_ptr<util::WorkerPool> pipeline_;  // null when pipeline_threads == 0
};

}  // namespace chatbot::rag
