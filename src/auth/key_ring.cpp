#include "auth/key_ring.h"

#include "observability/log.h"
#include "util/time.h"

namespace chatbot::auth {

namespace {

Error invalidKey(std::string detail) {
  return {ErrorKind::kUnauthenticated, "invalid_api_key", std::move(detail)};
}

}  // namespace

KeyRing::KeyRing(std::shared_ptr<store::AccessStore> store, KeyRingOptions options)
    : store_(std::move(store)), options_(options) {
  std::unordered_map<std::string, store::ApiKeyRecord> loaded;
  for (auto& key : store_->apiKeys()) loaded.emplace(key.id, std::move(key));
  {
    const util::MutexLock lock(mutex_);
    keys_ = std::move(loaded);
  }
  refresher_ = std::thread([this] { refreshLoop(); });
}

KeyRing::~KeyRing() {
  {
    const util::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  refresher_.join();
  flushUses();
}

std::optional<store::ApiKeyRecord> KeyRing::find(const std::string& id) const {
  const util::MutexLock lock(mutex_);
  const auto it = keys_.find(id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

bool KeyRing::mayReloadOnMiss() {
  const util::MutexLock lock(mutex_);
  const auto now = Clock::now();
  if (now - last_miss_reload_ < options_.miss_reload_interval) return false;
  last_miss_reload_ = now;
  return true;
}

Result<Identity> KeyRing::authenticate(const KeyParts& key, store::EpochMs now) {
  std::optional<store::ApiKeyRecord> record = find(key.id);
  if (!record) {
    if (mayReloadOnMiss()) {
      reload();
      record = find(key.id);
    } else {
      // Another miss reloaded moments ago: the refresher reloads again now, off this thread,
      // so a key created meanwhile works on the next try rather than after refresh_interval.
      {
        const util::MutexLock lock(mutex_);
        reload_requested_ = true;
      }
      wake_.notify_all();
    }
  }
  // The same reply for an unknown id and a wrong secret: which ids exist is not for the caller.
  if (!record || !secretMatches(key.secret, record->secret_hash)) {
    return invalidKey("The API key is not valid. Check that it was copied whole.");
  }
  if (record->revoked_ms) return invalidKey("The API key was revoked; ask an admin for a new one.");
  if (record->expires_ms && *record->expires_ms <= now) {
    return invalidKey("The API key expired on " +
                      util::isoTimestampFromEpochMs(*record->expires_ms) +
                      "; ask an admin for a new one.");
  }
  {
    const util::MutexLock lock(mutex_);
    uses_[key.id] = now;
  }
  return identityOfKey(*record);
}

void KeyRing::reload() {
  std::unordered_map<std::string, store::ApiKeyRecord> loaded;
  try {
    for (auto& key : store_->apiKeys()) loaded.emplace(key.id, std::move(key));
  } catch (const store::StoreError& e) {
    log::warn("auth.keys_reload_failed", {{"error", e.what()}});
    return;
  }
  const util::MutexLock lock(mutex_);
  keys_ = std::move(loaded);
}

void KeyRing::flushUses() {
  std::unordered_map<std::string, store::EpochMs> uses;
  {
    const util::MutexLock lock(mutex_);
    uses.swap(uses_);
  }
  if (uses.empty()) return;
  try {
    store_->recordKeyUse({uses.begin(), uses.end()});
  } catch (const store::StoreError& e) {
    // Only bookkeeping is lost: the next use records the time again.
    log::warn("auth.key_use_not_recorded", {{"keys", uses.size()}, {"error", e.what()}});
  }
}

void KeyRing::refreshLoop() {
  util::UniqueMutexLock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock.native(), options_.refresh_interval,
                   [this]() REQUIRES(mutex_) { return stopping_ || reload_requested_; });
    if (stopping_) return;
    reload_requested_ = false;
    lock.unlock();
    flushUses();
    reload();
    lock.lock();
  }
}

}  // namespace chatbot::auth
