#pragma once
// Keeps the database from filling the disk: writes that add data (chat answers, feedback, new
// tickets) are refused with 503 storage_full once the database reaches MAX_DATABASE_MB or the
// disk holding it has less than MIN_FREE_DISK_MB free, before SQLite itself would fail half-way.
// Reads, deletions and status changes still work, so people can look things up and admins can
// make room. /health shows the usage and warns from 90% of the ceiling (or twice the minimum free
// space) on.
//
// The sizes are measured at most every sample_interval (a stat of the database files and a
// statvfs of their disk), not per request.
//
// Thread-safety: every method may be called from any thread; the measurement is cached under
// mutex_, which is never held during the stat calls.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/error.h"
#include "util/mutex.h"

namespace chatbot::support {

struct StorageLimits {
  std::uint64_t max_database_bytes = 0;  // 0: no ceiling
  std::uint64_t min_free_bytes = 0;      // 0: no floor
  std::chrono::milliseconds sample_interval{2000};
};

enum class StorageState { kOk, kWarning, kFull };

struct StorageReport {
  StorageState state = StorageState::kOk;
  std::uint64_t database_bytes = 0;  // the database file and its WAL
  std::uint64_t free_bytes = 0;      // available to this process on the database's disk
  StorageLimits limits;
  std::string reason;  // for kWarning and kFull: what is close or reached, what to do
};

class StorageGuard {
 public:
  StorageGuard(std::filesystem::path database, StorageLimits limits);

  // Done, or Error{kStorageUnavailable, "storage_full"} saying why and what to do.
  Result<Done> admitWrite() const EXCLUDES(mutex_);
  StorageReport report() const EXCLUDES(mutex_);

 private:
  using Clock = std::chrono::steady_clock;
  StorageReport measure() const;

  const std::filesystem::path database_;
  const StorageLimits limits_;
  mutable util::Mutex mutex_;
  mutable StorageReport cached_ GUARDED_BY(mutex_);
  mutable Clock::time_point measured_at_ GUARDED_BY(mutex_){};
  mutable bool measured_ GUARDED_BY(mutex_) = false;
};

}  // namespace chatbot::support
