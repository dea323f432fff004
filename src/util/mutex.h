#pragma once
// Mutexes and locks that Clang's thread-safety analysis understands (see thread_annotations.h).
//
// Thin wrappers: every member is inline and forwards to std::mutex / std::shared_mutex /
// std::unique_lock, so they cost exactly what the standard types cost. They exist because
// libstdc++'s types carry no annotations. Use:
//
//   mutable util::Mutex mutex_;
//   std::deque<Job> jobs_ GUARDED_BY(mutex_);
//   std::condition_variable wake_;
//
//   { const util::MutexLock lock(mutex_); jobs_.push_back(job); }       // was std::lock_guard
//   util::UniqueMutexLock lock(mutex_);                                 // was std::unique_lock
//   wake_.wait(lock.native(), [this]() REQUIRES(mutex_) { return !jobs_.empty(); });
//
// A predicate lambda is analysed as a function of its own: REQUIRES(mutex_) on it says that it
// runs with the lock held (std::condition_variable calls it so).
#include <mutex>
#include <shared_mutex>

#include "util/thread_annotations.h"

namespace chatbot::util {

// std::mutex as a capability. Not recursive. Thread-safe, like std::mutex. The members have the
// standard names (Lockable), hence the NOLINTs of the naming check.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  // NOLINTNEXTLINE(readability-identifier-naming)
  bool try_lock() TRY_ACQUIRE(true) { return mutex_.try_lock(); }
  // Tells the analysis that the caller holds the lock (it cannot see it: a callback, say).
  void assertHeld() const ASSERT_CAPABILITY(this) {}

  // The underlying mutex, for std::unique_lock and condition variables. Locking it directly
  // bypasses the analysis: use the lock classes below.
  std::mutex& native() RETURN_CAPABILITY(this) { return mutex_; }

 private:
  std::mutex mutex_;
};

// std::shared_mutex as a capability: exclusive (lock) or shared (lock_shared). SharedLockable.
class CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  // NOLINTNEXTLINE(readability-identifier-naming)
  void lock_shared() ACQUIRE_SHARED() { mutex_.lock_shared(); }
  // NOLINTNEXTLINE(readability-identifier-naming)
  void unlock_shared() RELEASE_SHARED() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

// Holds a Mutex for its scope; std::lock_guard's replacement (same cost: lock, then unlock).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

// Holds a Mutex through a std::unique_lock, for condition variables (pass native()) and for code
// that unlocks and relocks within the scope; std::unique_lock's replacement, at its cost.
// Invariant: the analysis' view (locked between lock() and unlock()) matches the unique_lock's;
// a condition variable's wait unlocks and relocks inside the call, so it returns locked.
class SCOPED_CAPABILITY UniqueMutexLock {
 public:
  explicit UniqueMutexLock(Mutex& mutex) ACQUIRE(mutex) : lock_(mutex.native()) {}
  ~UniqueMutexLock() RELEASE() {}  // the unique_lock unlocks if it still owns the mutex
  UniqueMutexLock(const UniqueMutexLock&) = delete;
  UniqueMutexLock& operator=(const UniqueMutexLock&) = delete;

  void lock() ACQUIRE() { lock_.lock(); }
  void unlock() RELEASE() { lock_.unlock(); }
  // For std::condition_variable(_any)::wait*; do not unlock it by hand.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

// Holds a SharedMutex exclusively for its scope (std::unique_lock<std::shared_mutex>'s role).
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~WriterMutexLock() RELEASE() { mutex_.unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

// Holds a SharedMutex shared for its scope (std::shared_lock's role).
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mutex) ACQUIRE_SHARED(mutex) : mutex_(mutex) {
    mutex_.lock_shared();
  }
  ~ReaderMutexLock() RELEASE() { mutex_.unlock_shared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

}  // namespace chatbot::util
