#pragma once
// The support workflow around the RAG pipeline: conversations (history in, exchange stored before
// the reply is acknowledged), escalation hints, and a pool of threads for the store's blocking
// calls so that HTTP threads never wait on disk.
//
// Thread-safety: every method may be called from any thread. Ownership: shares the store; the
// ChatService passed to answer() must outlive the answer (the API's Ready keeps it).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "auth/identity.h"
#include "rag/chat_service.h"
#include "store/store.h"
#include "support/exchange_writer.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "util/worker_pool.h"

namespace chatbot::support {

struct SupportOptions {
  store::SessionPolicy sessions;
  std::size_t history_turns = 3;  // earlier exchanges given to rewriting and to the LLM prompt
  double confident_score = 0.5;   // best result below it: the reply offers a ticket
  std::size_t threads = 4;        // for store calls
  // How often expired sessions are deleted.
  std::chrono::milliseconds purge_interval{std::chrono::minutes(10)};
};

class SupportService {
 public:
  SupportService(std::shared_ptr<store::Store> store, SupportOptions options);
  // Stops the purger, runs what is queued, then joins.
  ~SupportService();
  SupportService(const SupportService&) = delete;
  SupportService& operator=(const SupportService&) = delete;

  store::Store& store() const noexcept { return *store_; }
  const std::shared_ptr<store::Store>& sharedStore() const noexcept { return store_; }
  const SupportOptions& options() const noexcept { return options_; }

  // How storing answers goes (for /health). Thread-safe.
  WriterStatus writerStatus() const { return writer_.status(); }

  // Runs `job` on one of the service's threads.
  void post(std::function<void()> job) const { pool_.post(std::move(job)); }

  // Answers `caller`'s `query` in conversation `session_id` (empty, unknown, expired or not
  // `caller`'s to continue: a new conversation with a new id, owned by `caller`) on the service's
  // threads: loads the recent history, answers through `service`, stores the exchange, fills
  // answer.conversation, then calls observer->onComplete. onSources and onDelta pass through as
  // they come. An overloaded or cancelled answer is not stored. `keep_alive` is held until
  // `service` has taken the question.
  void answer(std::shared_ptr<const void> keep_alive, const rag::ChatService& service,
              rag::ChatQuery query, std::string session_id, const auth::Identity& caller,
              std::shared_ptr<rag::AnswerObserver> observer) const;

 private:
  void purgeLoop() EXCLUDES(purge_mutex_);

  std::shared_ptr<store::Store> store_;
  SupportOptions options_;
  util::Mutex purge_mutex_;
  std::condition_variable purge_wake_;
  bool stopping_ GUARDED_BY(purge_mutex_) = false;
  std::thread purger_;  // deletes expired sessions every purge_interval
  // Destroyed after the pool: answers the pool's last jobs finish still get committed.
  mutable ExchangeWriter writer_;  // append() is thread-safe
  mutable util::WorkerPool pool_;
};

// The sources an answer was built from, as the store and the API cite them ([1] first).
std::vector<store::CitedSource> citedSources(const rag::ChatAnswer& answer);

}  // namespace chatbot::support
