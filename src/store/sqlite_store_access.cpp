// SqliteStore's access-control state: API keys and the audit trail (store/access_store.h).
#include <algorithm>
#include <limits>
#include <utility>

#include "store/sqlite_store.h"
#include "store/sqlite_store_detail.h"

namespace chatbot::store {

using detail::saturatedInt64;
using sqlite::Connection;
using sqlite::Query;
using Mode = sqlite::Transaction::Mode;

namespace {

constexpr std::string_view kSelectKey =
    "SELECT id, name, role, secret_hash, created_ms, expires_ms, revoked_ms, last_used_ms "
    "FROM api_keys ";

std::optional<EpochMs> optionalInt(const Query& row, int column) {
  if (row.isNull(column)) return std::nullopt;
  return row.integer(column);
}

ApiKeyRecord readKey(const Query& row) {
  ApiKeyRecord key;
  key.id = row.text(0);
  key.name = row.text(1);
  key.role = row.text(2);
  key.secret_hash = row.text(3);
  key.created_ms = row.integer(4);
  key.expires_ms = optionalInt(row, 5);
  key.revoked_ms = optionalInt(row, 6);
  key.last_used_ms = optionalInt(row, 7);
  return key;
}

Query& bindOptional(Query& query, int index, const std::optional<EpochMs>& value) {
  return value ? query.bindInt(index, *value) : query.bindNull(index);
}

std::optional<ApiKeyRecord> findKey(Connection& db, const std::string& id_or_name) {
  // An id first: names of revoked keys may repeat, ids never do.
  auto by_id = db.query(std::string(kSelectKey) + "WHERE id = ?1");
  by_id.bindText(1, id_or_name);
  if (by_id.step()) return readKey(by_id);
  auto by_name = db.query(std::string(kSelectKey) + "WHERE name = ?1 AND revoked_ms IS NULL");
  by_name.bindText(1, id_or_name);
  if (by_name.step()) return readKey(by_name);
  return std::nullopt;
}

AuditEntry readAudit(const Query& row) {
  AuditEntry e;
  e.id = row.integer(0);
  e.at_ms = row.integer(1);
  e.actor = row.text(2);
  e.actor_name = row.text(3);
  e.role = row.text(4);
  e.action = row.text(5);
  e.target = row.text(6);
  e.outcome = static_cast<int>(row.integer(7));
  e.remote = row.text(8);
  e.request_id = row.text(9);
  return e;
}

}  // namespace

KeyCreation SqliteStore::createApiKey(const NewApiKey& key) {
  return inTransaction(Mode::kWrite, "createApiKey", [&](Connection& db) {
    auto taken = db.query("SELECT 1 FROM api_keys WHERE name = ?1 AND revoked_ms IS NULL");
    taken.bindText(1, key.name);
    if (taken.step()) return KeyCreation::kNameTaken;
    auto insert = db.query(
        "INSERT INTO api_keys (id, name, role, secret_hash, created_ms, expires_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bindText(1, key.id)
        .bindText(2, key.name)
        .bindText(3, key.role)
        .bindText(4, key.secret_hash)
        .bindInt(5, key.created_ms);
    bindOptional(insert, 6, key.expires_ms).run();
    return KeyCreation::kCreated;
  });
}

std::vector<ApiKeyRecord> SqliteStore::apiKeys() {
  return inTransaction(Mode::kRead, "apiKeys", [&](Connection& db) {
    std::vector<ApiKeyRecord> keys;
    auto rows = db.query(std::string(kSelectKey) + "ORDER BY created_ms DESC, id");
    while (rows.step()) keys.push_back(readKey(rows));
    return keys;
  });
}

std::optional<ApiKeyRecord> SqliteStore::revokeApiKey(const std::string& id_or_name, EpochMs now) {
  return inTransaction(Mode::kWrite, "revokeApiKey", [&](Connection& db) {
    auto key = findKey(db, id_or_name);
    if (!key || key->revoked_ms) return key;
    db.query("UPDATE api_keys SET revoked_ms = ?2 WHERE id = ?1")
        .bindText(1, key->id)
        .bindInt(2, now)
        .run();
    key->revoked_ms = now;
    return key;
  });
}

void SqliteStore::recordKeyUse(const std::vector<std::pair<std::string, EpochMs>>& uses) {
  inTransaction(Mode::kWrite, "recordKeyUse", [&](Connection& db) {
    for (const auto& [id, at] : uses) {
      db.query(
            "UPDATE api_keys SET last_used_ms = ?2 WHERE id = ?1 AND "
            "(last_used_ms IS NULL OR last_used_ms < ?2)")
          .bindText(1, id)
          .bindInt(2, at)
          .run();
    }
  });
}

std::string SqliteStore::serverSecret(const std::string& name, const std::string& candidate) {
  return inTransaction(Mode::kWrite, "serverSecret", [&](Connection& db) {
    db.query("INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?1, ?2)")
        .bindText(1, name)
        .bindText(2, candidate)
        .run();
    auto row = db.query("SELECT value FROM server_secrets WHERE name = ?1");
    row.bindText(1, name);
    if (!row.step()) throw StoreError("the server secret '" + name + "' vanished");
    return row.text(0);
  });
}

void SqliteStore::appendAudit(const std::vector<AuditEntry>& entries) {
  inTransaction(Mode::kWrite, "appendAudit", [&](Connection& db) {
    for (const auto& e : entries) {
      db.query(
            "INSERT INTO audit_log (at_ms, actor, actor_name, role, action, target, outcome, "
            "remote, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
          .bindInt(1, e.at_ms)
          .bindText(2, e.actor)
          .bindText(3, e.actor_name)
          .bindText(4, e.role)
          .bindText(5, e.action)
          .bindText(6, e.target)
          .bindInt(7, e.outcome)
          .bindText(8, e.remote)
          .bindText(9, e.request_id)
          .run();
    }
  });
}

AuditPage SqliteStore::audit(const AuditQuery& query) {
  return inTransaction(Mode::kRead, "audit", [&](Connection& db) {
    AuditPage page;
    const std::size_t limit = std::min<std::size_t>(query.limit, 10'000);
    if (limit == 0) return page;
    auto rows = db.query(
        "SELECT id, at_ms, actor, actor_name, role, action, target, outcome, remote, request_id "
        "FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
    rows.bindInt(1, query.before_id.value_or(std::numeric_limits<std::int64_t>::max()))
        .bindInt(2, saturatedInt64(limit + 1));  // one more: is there a next page?
    while (rows.step()) page.entries.push_back(readAudit(rows));
    if (page.entries.size() > limit) {
      page.entries.pop_back();
      page.next_before_id = page.entries.back().id;
    }
    return page;
  });
}

}  // namespace chatbot::store
