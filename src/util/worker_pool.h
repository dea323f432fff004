#pragma once
// A fixed set of threads running posted jobs in FIFO order. Used to keep blocking work (waiting for
// an embedding batch, say) off the HTTP threads. Thread-safe; the destructor runs what is queued,
// then joins.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "util/mutex.h"

namespace chatbot::util {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::function<void()> job) EXCLUDES(mutex_);
  std::size_t queued() const EXCLUDES(mutex_);

 private:
  void run() EXCLUDES(mutex_);
  mutable Mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace chatbot::util
