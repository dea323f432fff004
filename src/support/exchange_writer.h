#pragma once
// Group commit for chat exchanges. Every answer must be committed before its reply is sent, and
// with synchronous=FULL each commit waits for the disk; committed one by one, answers would queue
// behind each other's fsync. The writer commits everything that arrived while the previous
// transaction was running in the next one, so under load one fsync acknowledges many answers,
// and with one request at a time there is no added wait.
//
// Thread-safety: append() may be called from any thread. `done` callbacks run on the writer's
// thread, in order, after the commit (or its failure); they must be quick.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store.h"

namespace chatbot::support {

class ExchangeWriter {
 public:
  using Done = std::function<void(bool stored)>;

  ExchangeWriter(std::shared_ptr<store::Store> store, store::SessionPolicy policy, std::size_t max_batch = 256);
  // Commits what is queued, then joins.
  ~ExchangeWriter();
  ExchangeWriter(const ExchangeWriter&) = delete;
  ExchangeWriter& operator=(const ExchangeWriter&) = delete;

  void append(store::Exchange exchange, Done done);

 private:
  struct Item {
    store::Exchange exchange;
    Done done;
  };
  void run();
  void commit(std::vector<Item>& batch);

  const std::shared_ptr<store::Store> store_;
  const store::SessionPolicy policy_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;  // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  std::thread thread_;      // last: started after the members above exist
};

}  // namespace chatbot::support
