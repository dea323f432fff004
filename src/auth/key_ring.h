#pragma once
// Checks presented API keys against the keys in the store, from memory: authentication runs on
// the HTTP threads for every request and must not wait for the database.
//
// Freshness: the ring reloads every refresh_interval on its own thread, and at once after changes
// made through this process (reload()). A key created by the CLI while the server runs is found
// on its first use (an unknown id reloads the ring, at most once per miss_reload_interval, so
// random ids cannot turn into a query flood; a miss within that interval has the refresher
// thread reload at once instead, so the key works on the next try); a key revoked by the CLI
// stops working within refresh_interval. When a key was last used is written back in batches on the
// same thread.
//
// Thread-safety: every public method is thread-safe; the store is never called under mutex_.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/api_keys.h"
#include "auth/identity.h"
#include "store/access_store.h"
#include "util/error.h"
#include "util/mutex.h"

namespace chatbot::auth {

struct KeyRingOptions {
  std::chrono::milliseconds refresh_interval{5000};
  std::chrono::milliseconds miss_reload_interval{1000};
};

class KeyRing {
 public:
  // Loads the keys once (throws store::StoreError when it cannot), then starts the refresher.
  KeyRing(std::shared_ptr<store::AccessStore> store, KeyRingOptions options = {});
  // Stops the refresher and writes the last uses back.
  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  // The identity of a key shaped like ours, or kUnauthenticated ("invalid_api_key") when it is
  // unknown, does not match, was revoked or has expired at `now`.
  Result<Identity> authenticate(const KeyParts& key, store::EpochMs now) EXCLUDES(mutex_);
  // Reloads the keys from the store now. Logs and keeps the old keys when the store fails.
  void reload() EXCLUDES(mutex_);

 private:
  using Clock = std::chrono::steady_clock;
  std::optional<store::ApiKeyRecord> find(const std::string& id) const EXCLUDES(mutex_);
  bool mayReloadOnMiss() EXCLUDES(mutex_);
  void flushUses() EXCLUDES(mutex_);
  void refreshLoop() EXCLUDES(mutex_);

  const std::shared_ptr<store::AccessStore> store_;
  const KeyRingOptions options_;
  mutable util::Mutex mutex_;
  std::unordered_map<std::string, store::ApiKeyRecord> keys_ GUARDED_BY(mutex_);  // by id
  // Latest use of each key since the last write-back.
  std::unordered_map<std::string, store::EpochMs> uses_ GUARDED_BY(mutex_);
  Clock::time_point last_miss_reload_ GUARDED_BY(mutex_){};
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool reload_requested_ GUARDED_BY(mutex_) = false;  // a miss asks the refresher to reload
  std::condition_variable wake_;
  std::thread refresher_;  // last member: started after the others exist
};

}  // namespace chatbot::auth
