#include "store/migrations.h"

#include <array>
#include <stdexcept>
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
// - ticket_notes are the service desk's, internal: only ticket() and updateTicketStatus() (which
//   serve the desk) return them; support::TicketService withholds them from anyone else.
// - Enumerations are stored as the spellings of toString() in store.cpp.
constexpr std::array<std::string_view, 3> kMigrations = {
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
    // 2: identity and access. Owners are identity subjects (auth::Identity::subject); '' is an
    // anonymous caller. Rows written before this version are anonymous.
    R"sql(
ALTER TABLE sessions ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE answer_stats ADD COLUMN owner TEXT NOT NULL DEFAULT '';  -- who was answered
ALTER TABLE tickets ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX tickets_by_owner ON tickets (owner, id);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY NOT NULL,  -- the public part of the key
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('employee', 'agent', 'admin')),
  secret_hash TEXT NOT NULL,     -- hex SHA-256 of the secret part; the secret is never stored
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER,            -- NULL: never expires
  revoked_ms INTEGER,            -- NULL: not revoked
  last_used_ms INTEGER
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_ms IS NULL;

-- Append-only: the triggers refuse to change or remove an entry.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,       -- identity subject; '' anonymous
  actor_name TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,      -- method and route pattern
  target TEXT NOT NULL,      -- the path as requested
  outcome INTEGER NOT NULL,  -- HTTP status
  remote TEXT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Secrets of this installation (random, made by the server on first start): e.g. the key that
-- derives the access tokens of anonymous tickets.
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
)sql",
    // 3: the service desk's notes on tickets. A "ticket.note_added" outbox event names its note,
    // so that its webhook payload can say which note it announces.
    R"sql(
CREATE TABLE ticket_notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  author TEXT NOT NULL,       -- identity subject of the agent or admin
  author_name TEXT NOT NULL,  -- their display name when they wrote it
  text TEXT NOT NULL,         -- redacted
  created_ms INTEGER NOT NULL
);
CREATE INDEX ticket_notes_by_ticket ON ticket_notes (ticket_id, id);

ALTER TABLE outbox ADD COLUMN note_id INTEGER REFERENCES ticket_notes (id) ON DELETE CASCADE;
)sql",
};

int userVersion(sqlite::Connection& connection) {
  return static_cast<int>(std::stoll(connection.scalarText("PRAGMA user_version")));
}

}  // namespace

int latestSchemaVersion() noexcept {
  return static_cast<int>(kMigrations.size());
}

std::string_view migrationScript(int version) {
  if (version < 1 || version > latestSchemaVersion()) {
    throw std::out_of_range("no migration to schema version " + std::to_string(version));
  }
  return kMigrations[static_cast<std::size_t>(version - 1)];
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
