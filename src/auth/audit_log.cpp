#include "auth/audit_log.h"

#include "observability/log.h"
#include "util/json_values.h"
#include "util/time.h"

namespace chatbot::auth {

nlohmann::json auditEntryJson(const store::AuditEntry& e) {
  nlohmann::json json = {{"at", util::isoTimestampFromEpochMs(e.at_ms)},
                         {"actor", util::nullIfEmpty(e.actor)},
                         {"actor_name", util::nullIfEmpty(e.actor_name)},
                         {"role", e.role},
                         {"action", e.action},
                         {"target", e.target},
                         {"outcome", e.outcome},
                         {"remote", e.remote},
                         {"request_id", e.request_id}};
  if (e.id > 0) json["id"] = e.id;
  return json;
}

AuditLog::AuditLog(std::shared_ptr<store::AccessStore> store, AuditLogOptions options)
    : store_(std::move(store)), options_(options) {
  writer_ = std::thread([this] { run(); });
}

AuditLog::~AuditLog() {
  {
    const util::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void AuditLog::record(store::AuditEntry entry) {
  log::info("audit", auditEntryJson(entry));
  bool dropped = false;
  {
    const util::MutexLock lock(mutex_);
    queue_.emplace_back(next_sequence_++, std::move(entry));
    if (queue_.size() > options_.max_queued) {
      queue_.pop_front();
      ++dropped_;
      dropped = true;
    }
  }
  if (dropped) log::error("audit.dropped", {{"reason", "the store refuses audit entries"}});
}

std::uint64_t AuditLog::dropped() const {
  const util::MutexLock lock(mutex_);
  return dropped_;
}

bool AuditLog::flushSome() {
  std::vector<store::AuditEntry> batch;
  std::uint64_t last_sequence = 0;
  {
    const util::MutexLock lock(mutex_);
    const std::size_t n = std::min(queue_.size(), options_.max_batch);
    for (std::size_t i = 0; i < n; ++i) batch.push_back(queue_[i].second);
    if (n > 0) last_sequence = queue_[n - 1].first;
  }
  if (batch.empty()) return true;
  try {
    store_->appendAudit(batch);
  } catch (const store::StoreError& e) {
    log::warn("audit.write_failed", {{"entries", batch.size()}, {"error", e.what()}});
    return false;
  }
  // What was written is at the front, less what record() dropped meanwhile (always the oldest).
  const util::MutexLock lock(mutex_);
  while (!queue_.empty() && queue_.front().first <= last_sequence) queue_.pop_front();
  return true;
}

void AuditLog::run() {
  util::UniqueMutexLock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock.native(), options_.flush_interval,
                   [this]() REQUIRES(mutex_) { return stopping_; });
    const bool stopping = stopping_;
    lock.unlock();
    bool ok = true;
    for (;;) {
      {
        const util::MutexLock check(mutex_);
        if (queue_.empty()) break;
      }
      ok = flushSome();
      if (!ok) break;  // retried at the next interval (or given up on at shutdown)
    }
    lock.lock();
    if (stopping) return;
  }
}

}  // namespace chatbot::auth
