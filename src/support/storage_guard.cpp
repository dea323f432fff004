#include "support/storage_guard.h"

namespace chatbot::support {

namespace {

constexpr std::uint64_t kMb = 1024 * 1024;

std::uint64_t sizeOrZero(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::uint64_t>(size);
}

std::string megabytes(std::uint64_t bytes) {
  return std::to_string(bytes / kMb) + " MB";
}

}  // namespace

StorageGuard::StorageGuard(std::filesystem::path database, StorageLimits limits)
    : database_(std::move(database)), limits_(limits) {}

StorageReport StorageGuard::measure() const {
  StorageReport r;
  r.limits = limits_;
  r.database_bytes = sizeOrZero(database_) + sizeOrZero(database_.string() + "-wal");
  std::error_code ec;
  const auto space = std::filesystem::space(database_.parent_path(), ec);
  r.free_bytes = ec ? UINT64_MAX : static_cast<std::uint64_t>(space.available);
  const std::uint64_t max = limits_.max_database_bytes;
  const std::uint64_t min_free = limits_.min_free_bytes;
  if (max > 0 && r.database_bytes >= max) {
    r.state = StorageState::kFull;
    r.reason = "The database (" + megabytes(r.database_bytes) + ") reached MAX_DATABASE_MB (" +
               megabytes(max) +
               "): new answers, feedback, tickets and notes are refused. Raise the "
               "limit, or make room (conversations expire after SESSION_TTL_MINUTES).";
  } else if (min_free > 0 && r.free_bytes < min_free) {
    r.state = StorageState::kFull;
    r.reason = "The disk of the database has " + megabytes(r.free_bytes) +
               " free, less than MIN_FREE_DISK_MB (" + megabytes(min_free) +
               "): new answers, feedback, tickets and notes are refused until there is room.";
  } else if ((max > 0 && r.database_bytes >= max / 10 * 9) ||
             (min_free > 0 && r.free_bytes < 2 * min_free)) {
    r.state = StorageState::kWarning;
    r.reason = "Storage is running short (database " + megabytes(r.database_bytes) +
               ", disk free " + megabytes(r.free_bytes) +
               "): writes will be refused at MAX_DATABASE_MB or MIN_FREE_DISK_MB.";
  }
  return r;
}

StorageReport StorageGuard::report() const {
  {
    const util::MutexLock lock(mutex_);
    if (measured_ && Clock::now() - measured_at_ < limits_.sample_interval) return cached_;
  }
  StorageReport fresh = measure();  // outside the lock: stat and statvfs may be slow
  const util::MutexLock lock(mutex_);
  cached_ = fresh;
  measured_at_ = Clock::now();
  measured_ = true;
  return fresh;
}

Result<Done> StorageGuard::admitWrite() const {
  if (limits_.max_database_bytes == 0 && limits_.min_free_bytes == 0) return Done{};
  StorageReport r = report();
  if (r.state != StorageState::kFull) return Done{};
  Error full{ErrorKind::kStorageUnavailable, "storage_full", std::move(r.reason)};
  full.retry_after_seconds = 60;
  return full;
}

}  // namespace chatbot::support
