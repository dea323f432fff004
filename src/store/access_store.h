#pragma once
// Durable state of access control: API keys and the audit trail. A separate interface from Store
// (conversations and tickets) because its users are separate (auth/, the admin routes, the audit
// middleware); SqliteStore implements both on one database file.
//
// Every method is one transaction, as in Store; thread-safe; blocks on disk I/O (call it from
// worker threads, or where a short read is acceptable: see auth::KeyRing).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace chatbot::store {

struct NewApiKey {
  std::string id;           // the key's public part, unique (see auth/api_keys.h)
  std::string name;         // unique among keys that are not revoked
  std::string role;         // "employee", "agent" or "admin"
  std::string secret_hash;  // hex SHA-256 of the secret; the secret itself is never stored
  EpochMs created_ms = 0;
  std::optional<EpochMs> expires_ms;  // nullopt: never
};

struct ApiKeyRecord : NewApiKey {
  std::optional<EpochMs> revoked_ms;    // set once, never cleared
  std::optional<EpochMs> last_used_ms;  // recorded in batches (auth::KeyRing), may lag a little
};

// What createApiKey did.
enum class KeyCreation { kCreated, kNameTaken };

// One recorded action: a write by an agent or admin, or a refused request.
struct AuditEntry {
  std::int64_t id = 0;  // assigned by the store: 1, 2, 3, ... in recording order
  EpochMs at_ms = 0;
  std::string actor;       // the identity's subject; empty for an anonymous caller
  std::string actor_name;  // key name or the token's name, for people
  std::string role;        // "employee", "agent", "admin"; "anonymous" without an identity
  std::string action;      // "PATCH /api/v1/tickets/{ticket_id}": method and route pattern
  std::string target;      // the path as requested (ids of what was acted on)
  int outcome = 0;         // the HTTP status of the reply
  std::string remote;      // the client address (behind TRUSTED_PROXIES: the forwarded one)
  std::string request_id;
};

struct AuditQuery {
  std::optional<std::int64_t> before_id;  // keyset paging: only entries with a smaller id
  std::size_t limit = 50;
};

struct AuditPage {
  std::vector<AuditEntry> entries;             // newest first
  std::optional<std::int64_t> next_before_id;  // pass as `before_id` for the next page
};

class AccessStore {
 public:
  virtual ~AccessStore() = default;

  // API keys.
  virtual KeyCreation createApiKey(const NewApiKey& key) = 0;
  // Every key, revoked and expired ones included, newest first.
  virtual std::vector<ApiKeyRecord> apiKeys() = 0;
  // Revokes the key whose id or (non-revoked) name is `id_or_name`. The key as it is now, or
  // nullopt when there is none; revoking a revoked key changes nothing and returns it.
  virtual std::optional<ApiKeyRecord> revokeApiKey(const std::string& id_or_name, EpochMs now) = 0;
  // Records when keys were last used (id, time); unknown ids are ignored.
  virtual void recordKeyUse(const std::vector<std::pair<std::string, EpochMs>>& uses) = 0;

  // The installation's secret called `name`: `candidate` (random, made by the caller) when there
  // was none yet; the stored one otherwise, so every process and restart agrees on it.
  virtual std::string serverSecret(const std::string& name, const std::string& candidate) = 0;

  // Audit trail: append-only (the database refuses updates and deletes of it).
  virtual void appendAudit(const std::vector<AuditEntry>& entries) = 0;
  virtual AuditPage audit(const AuditQuery& query) = 0;
};

}  // namespace chatbot::store
