#include "api/serving_state.h"

namespace chatbot::api {

void ServingState::setReady(std::shared_ptr<const rag::ChatService> service) {
  auto writer = std::make_shared<const ChatReplyWriter>(service->index().articles());
  auto ready = std::make_shared<const Serving>(Serving{std::move(writer), std::move(service)});
  const util::MutexLock lock(mutex_);
  ready_ = std::move(ready);
}

void ServingState::setFailed(std::string reason) {
  const util::MutexLock lock(mutex_);
  failure_ = std::move(reason);
}

void ServingState::reset() {
  std::shared_ptr<const Serving> ready;
  {
    const util::MutexLock lock(mutex_);
    ready = std::move(ready_);
  }
  ready.reset();  // outside the lock: it may wait for answers in flight
}

std::shared_ptr<const Serving> ServingState::current() const {
  const util::MutexLock lock(mutex_);
  return ready_;
}

std::shared_ptr<const rag::ChatService> ServingState::service() const {
  const auto ready = current();
  return ready ? ready->service : nullptr;
}

std::string ServingState::failure() const {
  const util::MutexLock lock(mutex_);
  return failure_;
}

Result<std::shared_ptr<const Serving>> ServingState::require() const {
  auto ready = current();
  if (ready) return ready;
  const bool failed = !failure().empty();
  return Error{ErrorKind::kNotReady, "service_unavailable",
               failed ? "The chat service is unavailable; see /health."
                      : "The knowledge base is still being indexed; retry shortly.",
               2};
}

}  // namespace chatbot::api
