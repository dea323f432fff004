#pragma once
// What serving needs once the knowledge base is ready, published as one unit by the composition
// root (app/) and read by the routes on every request.
//
// Thread-safety: every method may be called from any thread. A plain mutex rather than
// std::atomic<std::shared_ptr>: libstdc++ 12's implementation of the latter is reported as racy
// by ThreadSanitizer. Taken once per request, held for a pointer copy.
#include <memory>
#include <string>

#include "api/chat_reply.h"
#include "rag/chat_service.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace chatbot::api {

// Observers of answers in flight never own it (the last owner on a service thread would destroy
// the service there, joining itself); they share only the writer. Work queued on the support
// threads may own it: those threads are not the service's. The service is declared last so that
// it goes first.
struct Serving {
  std::shared_ptr<const ChatReplyWriter> writer;  // shared with answers in flight
  std::shared_ptr<const rag::ChatService> service;
};

class ServingState {
 public:
  // Once the KB is indexed: from then on chat answers.
  void setReady(std::shared_ptr<const rag::ChatService> service) EXCLUDES(mutex_);
  // Start-up failed for good: /health says why, chat answers 503.
  void setFailed(std::string reason) EXCLUDES(mutex_);
  // Drops the service (shutdown), so that answers in flight finish while the rest still exists.
  void reset() EXCLUDES(mutex_);

  // Null until ready.
  std::shared_ptr<const Serving> current() const EXCLUDES(mutex_);
  std::shared_ptr<const rag::ChatService> service() const;
  // Empty unless start-up failed.
  std::string failure() const EXCLUDES(mutex_);
  // The serving state, or the 503 that says why there is none (still indexing, or failed).
  Result<std::shared_ptr<const Serving>> require() const;

 private:
  mutable util::Mutex mutex_;
  std::shared_ptr<const Serving> ready_ GUARDED_BY(mutex_);
  std::string failure_ GUARDED_BY(mutex_);
};

}  // namespace chatbot::api
