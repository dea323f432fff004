#pragma once
// API keys: their format, and the operations on them (create, list, revoke) shared by the CLI
// (`chatbot keys`) and the admin API (/api/v1/admin/keys).
//
// A key reads "cbk_<id>_<secret>": the prefix makes it recognisable (secret scanners, the
// credential filter, people), the id (12 lower-case letters and digits) is its public name in
// the store, lists and the audit trail, and the secret (32 letters and digits, about 190 bits
// from the system CSPRNG) is what proves it. Only the SHA-256 of the secret is stored: the
// secret is random and long, so a fast hash is as strong as a slow one here, and checking a key
// costs microseconds. Hashes are compared in constant time.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"
#include "store/access_store.h"
#include "util/error.h"

namespace chatbot::auth {

inline constexpr std::string_view kApiKeyPrefix = "cbk_";

// The parts of a presented key; nullopt when it is not shaped like one of ours.
struct KeyParts {
  std::string id;
  std::string secret;
};
std::optional<KeyParts> parseApiKey(std::string_view key);

// Hex SHA-256 of a key's secret, as stored.
std::string hashKeySecret(std::string_view secret);
// Whether `secret` hashes to `stored_hash`, in time independent of where they differ.
bool secretMatches(std::string_view secret, std::string_view stored_hash);

// The identity an API key stands for.
Identity identityOfKey(const store::ApiKeyRecord& key);

// A key as the CLI and the admin API show it: never its secret or hash.
struct KeyView {
  std::string id;
  std::string name;
  Role role = Role::kEmployee;
  store::EpochMs created_ms = 0;
  std::optional<store::EpochMs> expires_ms;
  std::optional<store::EpochMs> revoked_ms;
  std::optional<store::EpochMs> last_used_ms;

  // "active", "expired" or "revoked" at `now`.
  std::string_view state(store::EpochMs now) const;
};

struct CreatedKey {
  KeyView key;
  std::string secret_key;  // the whole "cbk_..." string; shown once, never stored
};

struct NewKeyRequest {
  std::string name;  // 1-64 characters: letters, digits, '.', '_', '-', '@', ' '
  Role role = Role::kEmployee;
  std::optional<std::chrono::seconds> expires_in;  // nullopt: never expires
};

// "90d", "12h", "30m", "3600s", "2w": a lifetime for --expires and the admin API.
Result<std::chrono::seconds> parseLifetime(std::string_view text);

// Create, list and revoke keys on an AccessStore. Synchronous: every call is a store
// transaction. Thread-safe (the store is).
class KeyService {
 public:
  explicit KeyService(std::shared_ptr<store::AccessStore> store);

  // Errors: invalid name or lifetime (kInvalidInput), a name in use (kInvalidInput,
  // "key_name_taken"), the store failing (kStorageUnavailable).
  Result<CreatedKey> create(const NewKeyRequest& request, store::EpochMs now) const;
  Result<std::vector<KeyView>> list() const;
  // By id or name; kNotFound ("key_not_found") when there is no such key.
  Result<KeyView> revoke(const std::string& id_or_name, store::EpochMs now) const;

 private:
  std::shared_ptr<store::AccessStore> store_;
};

KeyView viewOf(const store::ApiKeyRecord& record);

}  // namespace chatbot::auth
