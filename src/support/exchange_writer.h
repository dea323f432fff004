#pragma once
// Group commit for chat exchanges. Every answer must be committed before its reply is sent, and
// with synchronous=FULL each commit waits for the disk; committed one by one, answers would queue
// behind each other's fsync. The writer commits everything that arrived while the previous
// transaction was running in the next one, so under load one fsync acknowledges many answers,
// and with one request at a time there is no added wait.
//
// Thread-safety: append() may be called from any thread. `done` callbacks run on the writer's
// completion thread, in commit order, after the commit (or its failure): the replies they build
// (JSON, access log) overlap the next transaction instead of delaying it, since under load the
// one committing thread is what every answer waits for.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include "store/store.h"
#include "util/mutex.h"

namespace chatbot::support {

// What /health reports about storing answers.
struct WriterStatus {
  std::size_t queued = 0;            // appended, not yet committed
  std::uint64_t committed = 0;       // exchanges stored since start
  std::uint64_t failed = 0;          // exchanges that could not be stored since start
  std::int64_t last_failure_ms = 0;  // Unix ms of the latest failed exchange; 0: none
  // The latest exchange to finish could not be stored: the store refuses writes right now.
  bool last_commit_failed = false;
};

class ExchangeWriter {
 public:
  using Done = std::function<void(bool stored)>;

  ExchangeWriter(std::shared_ptr<store::Store> store, store::SessionPolicy policy,
                 std::size_t max_batch = 256);
  // Commits what is queued, then joins.
  ~ExchangeWriter();
  ExchangeWriter(const ExchangeWriter&) = delete;
  ExchangeWriter& operator=(const ExchangeWriter&) = delete;

  void append(store::Exchange exchange, Done done) EXCLUDES(mutex_);
  WriterStatus status() const EXCLUDES(mutex_);

 private:
  // Exchanges and their callbacks side by side: the exchanges go to the store as they are.
  struct Batch {
    std::vector<store::Exchange> exchanges;
    std::vector<Done> done;
    std::vector<bool> stored;  // filled by commit()
  };
  void run() EXCLUDES(mutex_);
  void commit(Batch& batch);  // without the lock: it waits for the disk
  void complete() EXCLUDES(mutex_);

  const std::shared_ptr<store::Store> store_;
  const store::SessionPolicy policy_;
  const std::size_t max_batch_;
  mutable util::Mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable committed_wake_;
  Batch queue_ GUARDED_BY(mutex_);                  // appended, not yet committed
  std::deque<Batch> committed_ GUARDED_BY(mutex_);  // committed, callbacks not yet run
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool writer_done_ GUARDED_BY(mutex_) = false;  // nothing more will be committed
  WriterStatus counters_ GUARDED_BY(mutex_);     // queued is computed by status()
  // Last: started after the members above exist. The completer outlives the writer.
  std::thread completer_;
  std::thread writer_;
};

}  // namespace chatbot::support
