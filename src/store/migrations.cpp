#include "store/migrations.h"

#include <array>
#include <string>
#include <string_view>

namespace chatbot::store {

namespace {

// Migration i (1-based) takes a database from user_version i-1 to i. Released migrations are
// never edited: a schema change is a new entry appended to the list.
//
// Invariants the store relies on:
// - An exchange's text lives only while the exchange does; answer_stats keeps, per answer ever
//   given, what statistics need (flags and the top article, never text), so it outlives sessions.
// - feedback rows belong to an answer_stats row; a feedback comment (text) is cleared when the
//   rated exchange leaves the store (trimmed, session deleted or expired), like the exchange's
//   own text. The vote itself stays for the statistics.
// - A ticket's delivery state is that of its latest outbox event (highest id).
// - Enumerations are stored as the spellings of toString() in store.cpp.
constexpr std::array<std::string_view, 1> kMigrations = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_ms);

CREATE TABLE exchanges (
  message_id TEXT PRIMARY KEY NOT NULL,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,  -- 1, 2, 3, ... within the session, in append order
  created_ms INTEGER NOT NULL,
  query TEXT NOT NULL,
  standalone_query TEXT NOT NULL,
  response TEXT NOT NULL,
  sources TEXT NOT NULL,  -- JSON array of cited sources
  answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
  generator TEXT NOT NULL,
  escalation_reason TEXT NOT NULL,
  UNIQUE (session_id, seq)
);

CREATE TABLE answer_stats (
  message_id TEXT PRIMARY KEY NOT NULL,
  created_ms INTEGER NOT NULL,
  answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
  escalated INTEGER NOT NULL CHECK (escalated IN (0, 1)),
  top_article_id TEXT,  -- source [1]; NULL when the answer cited none
  top_subject TEXT
);

CREATE TABLE feedback (
  message_id TEXT PRIMARY KEY NOT NULL REFERENCES answer_stats (message_id),
  helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
  comment TEXT NOT NULL,
  created_ms INTEGER NOT NULL,  -- of the first vote
  updated_ms INTEGER NOT NULL   -- of the latest vote
);

CREATE TRIGGER exchanges_forget_feedback_comment AFTER DELETE ON exchanges
BEGIN
  UPDATE feedback SET comment = '' WHERE message_id = OLD.message_id AND comment <> '';
END;

CREATE TABLE tickets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: an id shown to a user is never reused
  session_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  description TEXT NOT NULL,
  category TEXT NOT NULL,
  priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
  contact TEXT NOT NULL,
  transcript TEXT NOT NULL,      -- JSON array of exchanges
  articles_tried TEXT NOT NULL,  -- JSON array of cited sources
  idempotency_key TEXT UNIQUE,   -- NULL when the client gave none
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX tickets_by_status ON tickets (status, id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  delivered_ms INTEGER  -- NULL until delivered
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);
CREATE INDEX outbox_by_ticket ON outbox (ticket_id, id);
)sql",
};

int userVersion(sqlite::Connection& connection) {
  return static_cast<int>(std::stoll(connection.scalarText("PRAGMA user_version")));
}

}  // namespace

int latestSchemaVersion() noexcept {
  return static_cast<int>(kMigrations.size());
}

void migrate(sqlite::Connection& connection) {
  // IMMEDIATE: two processes opening a fresh file at once must not both apply migration 1; the
  // second waits (busy timeout), then finds the schema current.
  sqlite::Transaction transaction(connection, sqlite::Transaction::Mode::kWrite);
  const int found = userVersion(connection);
  if (found > latestSchemaVersion()) {
    throw IncompatibleSchemaError(
        "its schema version is " + std::to_string(found) + " but this build knows versions up to " +
        std::to_string(latestSchemaVersion()) +
        ": it was written by a newer chatbot. Run that version, or restore a backup "
        "made before the upgrade");
  }
  if (found < 0) {
    throw IncompatibleSchemaError("its schema version is negative (" + std::to_string(found) + ")");
  }
  // Version 0 with tables in it is another program's database: adding ours would mix the two.
  if (found == 0 && connection.scalarText("SELECT count(*) FROM sqlite_master") != "0") {
    throw IncompatibleSchemaError(
        "it holds tables but no chatbot schema version: it is not a chatbot store. Point the "
        "store at a new file");
  }
  for (int version = found + 1; version <= latestSchemaVersion(); ++version) {
    try {
      connection.execute(kMigrations[static_cast<std::size_t>(version - 1)]);
    } catch (const StoreError& e) {
      throw StoreError("migration to schema version " + std::to_string(version) +
                       " failed: " + e.what());
    }
  }
  if (found != latestSchemaVersion()) {
    // PRAGMA takes no bound parameters; the value is our own integer.
    connection.execute("PRAGMA user_version = " + std::to_string(latestSchemaVersion()));
  }
  transaction.commit();
}

}  // namespace chatbot::store
