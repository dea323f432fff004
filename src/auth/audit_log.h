#pragma once
// The audit trail: who did what, when, from where, and how it ended, for every write by an agent
// or admin and every refused request (api/middleware/audit.cpp decides which). Each entry is a
// JSON log line at once ("audit") and a row of the append-only audit_log table shortly after:
// entries are queued and written in batches on the log's own thread, so a request never waits
// for the disk because it was audited (and a flood of refusals costs one transaction per batch).
//
// Durability: an entry is committed within about one flush interval (200 ms); the destructor
// writes what is queued. When the store refuses a batch, the entries stay queued and are retried;
// beyond max_queued the oldest are dropped, counted and logged as errors (the log line of each
// was written already).
//
// Thread-safety: record() may be called from any thread.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/access_store.h"
#include "util/mutex.h"

namespace chatbot::auth {

struct AuditLogOptions {
  std::chrono::milliseconds flush_interval{200};
  std::size_t max_batch = 500;
  std::size_t max_queued = 100'000;
};

// An entry as the admin API and the "audit" log line show it ("id" once it is stored).
nlohmann::json auditEntryJson(const store::AuditEntry& entry);

class AuditLog {
 public:
  AuditLog(std::shared_ptr<store::AccessStore> store, AuditLogOptions options = {});
  // Writes what is queued (one last try), then joins.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(store::AuditEntry entry) EXCLUDES(mutex_);
  // Entries dropped because the store kept failing (since start).
  std::uint64_t dropped() const EXCLUDES(mutex_);

 private:
  void run() EXCLUDES(mutex_);
  // Writes up to max_batch entries from the front; false when the store refused them.
  bool flushSome() EXCLUDES(mutex_);

  const std::shared_ptr<store::AccessStore> store_;
  const AuditLogOptions options_;
  mutable util::Mutex mutex_;
  // Entries with their sequence numbers (1, 2, 3, ... in record order), oldest first.
  std::deque<std::pair<std::uint64_t, store::AuditEntry>> queue_ GUARDED_BY(mutex_);
  std::uint64_t next_sequence_ GUARDED_BY(mutex_) = 1;
  std::uint64_t dropped_ GUARDED_BY(mutex_) = 0;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::condition_variable wake_;
  std::thread writer_;  // last: started once the members above exist
};

}  // namespace chatbot::auth
