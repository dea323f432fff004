// SqliteStore: the store contract (tests/contracts/store_*_contract.cpp) on real database files
// in a scratch folder per test, then what is SQLite's own: schema and migrations, the file across
// reopening, refusing files it must not touch, what is left in the file, and two stores (two
// processes) on one file.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "contracts/access_store_contract.h"
#include "contracts/store_contract.h"
#include "store/migrations.h"

namespace chatbot::store::contract {
namespace {

// In a folder that does not exist yet: the store creates it.
fs::path databaseIn(const fs::path& scratch_dir) {
  return scratch_dir / "state" / "store.db";
}

std::unique_ptr<Store> makeSqliteStore(const fs::path& scratch_dir) {
  return std::make_unique<SqliteStore>(databaseIn(scratch_dir));
}

STORE_CONTRACT_INSTANTIATE(Sqlite, (StoreBackend{"Sqlite", makeSqliteStore}));
ACCESS_STORE_CONTRACT_INSTANTIATE(Sqlite, (AccessStoreBackend{"Sqlite", [](const fs::path& dir) {
                                                                return std::unique_ptr<AccessStore>(
                                                                    std::make_unique<SqliteStore>(
                                                                        databaseIn(dir)));
                                                              }}));

// Reads the database with a connection of its own, as another program would.
class RawDatabase {
 public:
  explicit RawDatabase(const fs::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
  }
  ~RawDatabase() { sqlite3_close(db_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  void execute(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (error != nullptr ? error : "?");
    }
    sqlite3_free(error);
  }
  // The first column of the first row as text ("" when there is no row or it is NULL).
  std::string text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return {};
    }
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr)
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    return value;
  }
  std::int64_t number(const std::string& sql) { return std::stoll(text(sql)); }
  // Whether `sql` runs (for statements the schema must refuse).
  bool succeeds(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void TearDown() override { store_.reset(); }

  fs::path dbPath() const { return databaseIn(scratch_.path()); }
  SqliteStore& store() {
    if (!store_) store_ = std::make_unique<SqliteStore>(dbPath());
    return *store_;
  }
  SqliteStore& reopen() {
    store_.reset();
    return store();
  }

  ScratchDir scratch_;
  std::unique_ptr<SqliteStore> store_;
};

// ---- Opening and migrations ----

TEST_F(SqliteStoreTest, FreshFileGetsLatestSchemaInWalMode) {
  store();
  ASSERT_TRUE(fs::exists(dbPath()));
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("PRAGMA user_version"), latestSchemaVersion());
  EXPECT_EQ(latestSchemaVersion(), 3);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  for (const char* table : {"sessions", "exchanges", "answer_stats", "feedback", "tickets",
                            "outbox", "api_keys", "audit_log", "server_secrets", "ticket_notes"})
    EXPECT_EQ(
        raw.number(std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'"),
        1)
        << table;
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndSchemaVersion) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().recordFeedback(vote("m1", false, kT0 + 1, "wrong printer"));
  store().createTicket(newTicket("VPN down", "key-1"), kT0 + 2, /*notify=*/true);

  reopen();
  const auto session = store().session("s1", kT0 + 10);
  ASSERT_TRUE(session);
  ASSERT_EQ(session->exchanges.size(), 1u);
  EXPECT_EQ(session->exchanges[0].sources[0].article_id, "kb-1");
  const Stats stats = store().stats(5);
  EXPECT_EQ(stats.questions, 1);
  EXPECT_EQ(stats.not_helpful, 1);
  const auto ticket = store().ticket(1);
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->subject, "VPN down");
  EXPECT_EQ(ticket->delivery.state, DeliveryState::kPending);
  // The idempotency key and the queued event survived too.
  EXPECT_FALSE(store().createTicket(newTicket("VPN down", "key-1"), kT0 + 3, true).created);
  EXPECT_EQ(store().dueEvents(kT0 + 10, 10).size(), 1u);

  store_.reset();
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("PRAGMA user_version"), latestSchemaVersion());
}

// A database written before identities existed (schema 1) is upgraded in place; what it holds
// becomes anonymous (owner '').
TEST_F(SqliteStoreTest, UpgradesASchema1DatabaseAndItsRowsBecomeAnonymous) {
  fs::create_directories(dbPath().parent_path());
  {
    RawDatabase raw(dbPath());
    raw.execute(std::string(migrationScript(1)) + "PRAGMA user_version = 1;");
    raw.execute(
        "INSERT INTO sessions VALUES ('s1', 1, 1, 9999999999999);"
        "INSERT INTO tickets (session_id, subject, description, category, priority, status, "
        "contact, transcript, articles_tried, idempotency_key, created_ms, updated_ms) VALUES "
        "('s1', 'Old', '', '', 'normal', 'open', '', '[]', '[]', 'old-key', 1, 1);");
  }
  EXPECT_EQ(store().session("s1", kT0)->owner, "");
  const auto ticket = store().ticket(1);
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->owner, "");
  EXPECT_EQ(ticket->idempotency_key, "old-key");
  store_.reset();
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("PRAGMA user_version"), latestSchemaVersion());
}

// A database from before notes (schema 2): its tickets have none, its queued events announce
// none and are still delivered, and notes can be added at once.
TEST_F(SqliteStoreTest, UpgradesASchema2DatabaseToTicketNotes) {
  fs::create_directories(dbPath().parent_path());
  {
    RawDatabase raw(dbPath());
    raw.execute(std::string(migrationScript(1)) + std::string(migrationScript(2)) +
                "PRAGMA user_version = 2;");
    raw.execute(
        "INSERT INTO tickets (session_id, subject, description, category, priority, status, "
        "contact, transcript, articles_tried, created_ms, updated_ms, owner) VALUES "
        "('', 'Old', '', '', 'normal', 'open', '', '[]', '[]', 1, 1, 'key:alice');"
        "INSERT INTO outbox (ticket_id, event, state, next_attempt_ms, created_ms) VALUES "
        "(1, 'ticket.created', 'pending', 1, 1);");
  }
  const auto ticket = store().ticket(1);
  ASSERT_TRUE(ticket && ticket->notes);
  EXPECT_TRUE(ticket->notes->empty());
  const auto events = store().dueEvents(kT0, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].note_id);
  const auto note = store().addTicketNote(1, {"key:desk", "desk", "Upgraded"}, kT0, true);
  ASSERT_TRUE(note);
  EXPECT_EQ(store().dueEvents(kT0, 10).back().note_id, note->id);
  store_.reset();
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("PRAGMA user_version"), 3);
}

// Notes hang off their ticket: the database refuses a note for a ticket that does not exist, and
// an event naming a note that does not exist.
TEST_F(SqliteStoreTest, NotesAndTheirEventsReferToRealRows) {
  store().createTicket(newTicket("Mail"), kT0, false);
  store_.reset();
  RawDatabase raw(dbPath());
  raw.execute("PRAGMA foreign_keys = ON");
  EXPECT_FALSE(
      raw.succeeds("INSERT INTO ticket_notes (ticket_id, author, author_name, text, created_ms) "
                   "VALUES (99, 'a', 'a', 't', 1)"));
  EXPECT_FALSE(raw.succeeds(
      "INSERT INTO outbox (ticket_id, event, state, next_attempt_ms, created_ms, note_id) "
      "VALUES (1, 'ticket.note_added', 'pending', 1, 1, 99)"));
  EXPECT_TRUE(
      raw.succeeds("INSERT INTO ticket_notes (ticket_id, author, author_name, text, created_ms) "
                   "VALUES (1, 'a', 'a', 't', 1)"));
}

TEST_F(SqliteStoreTest, TheAuditLogRefusesChangesAndDeletions) {
  AuditEntry entry;
  entry.action = "GET /stats";
  entry.outcome = 403;
  store().appendAudit({entry});
  RawDatabase raw(dbPath());
  EXPECT_FALSE(raw.succeeds("UPDATE audit_log SET outcome = 200"));
  EXPECT_FALSE(raw.succeeds("DELETE FROM audit_log"));
  EXPECT_EQ(raw.number("SELECT outcome FROM audit_log"), 403);
}

TEST_F(SqliteStoreTest, RefusesDatabaseFromNewerVersion) {
  fs::create_directories(dbPath().parent_path());
  {
    RawDatabase raw(dbPath());
    raw.execute("CREATE TABLE future (x); PRAGMA user_version = 99");
  }
  try {
    store();
    FAIL() << "a schema newer than the code was accepted";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(dbPath().string()), std::string::npos) << message;
    EXPECT_NE(message.find("99"), std::string::npos) << message;
    EXPECT_NE(message.find("newer"), std::string::npos) << message;
  }
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("PRAGMA user_version"), 99);  // untouched
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete");
  EXPECT_EQ(raw.number("SELECT count(*) FROM sqlite_master WHERE name = 'sessions'"), 0);
}

TEST_F(SqliteStoreTest, RefusesAnotherProgramsDatabase) {
  fs::create_directories(dbPath().parent_path());
  {
    RawDatabase raw(dbPath());
    raw.execute("CREATE TABLE contacts (name TEXT)");
  }
  EXPECT_THROW(store(), StoreError);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM sqlite_master WHERE name = 'sessions'"), 0);
}

TEST_F(SqliteStoreTest, NonDatabaseFileOrUnusablePathIsAClearError) {
  fs::create_directories(dbPath().parent_path());
  std::ofstream(dbPath()) << "this is a text file, not a database, and long enough to show it\n";
  try {
    store();
    FAIL() << "a text file was opened as a database";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(dbPath().string()), std::string::npos) << message;
    EXPECT_NE(message.find("not a database"), std::string::npos) << message;
  }
  // A regular file where a parent folder should be.
  const fs::path under_file = dbPath() / "store.db";
  try {
    SqliteStore unusable(under_file);
    FAIL() << "a database below a regular file was opened";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(under_file.string()), std::string::npos) << e.what();
  }
}

// ---- What is left in the file (the contract's scenarios, checked in the tables) ----

TEST_F(SqliteStoreTest, DuplicateMessageIdLeavesOnlyTheCommittedRows) {
  store().appendExchange(exchange("s1", "m1", kT0), {});
  EXPECT_THROW(store().appendExchange(exchange("s2", "m1", kT0 + 1), {}), StoreError);
  ASSERT_TRUE(store().deleteSession("s1"));
  EXPECT_THROW(store().appendExchange(exchange("s3", "m1", kT0 + 3), {}), StoreError);
  store().appendExchange(exchange("s2", "m2", kT0 + 5), {});
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges"), 1);
  EXPECT_EQ(raw.number("SELECT count(*) FROM answer_stats"), 2);
}

TEST_F(SqliteStoreTest, DeletedSessionLeavesNoTextInTheFile) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().appendExchange(exchange("s2", "m2", kT0), {});
  store().recordFeedback(vote("m1", false, kT0 + 1, "it did not help"));
  ASSERT_TRUE(store().deleteSession("s1"));
  // No text of the deleted conversation is left: the exchange and the feedback comment are gone.
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges WHERE session_id = 's1'"), 0);
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm1'"), "");
}

TEST_F(SqliteStoreTest, PurgeRemovesTheExchangeRowsOfExpiredSessions) {
  store().appendExchange(exchange("short", "m1", kT0), {10, 1000});
  store().appendExchange(exchange("medium", "m2", kT0), {10, 2000});
  store().appendExchange(exchange("long", "m3", kT0), {10, 5000});
  EXPECT_EQ(store().purgeExpiredSessions(kT0 + 2000), 2u);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges"), 1);
}

TEST_F(SqliteStoreTest, ReplacedFeedbackKeepsItsFirstTimeAndTheLatestComment) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().recordFeedback(vote("m1", true, kT0 + 1, "great"));
  EXPECT_TRUE(store().recordFeedback(vote("m1", false, kT0 + 2, "actually no")).replaced);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm1'"), "actually no");
  EXPECT_EQ(raw.number("SELECT created_ms FROM feedback WHERE message_id = 'm1'"), kT0 + 1);
  EXPECT_EQ(raw.number("SELECT updated_ms FROM feedback WHERE message_id = 'm1'"), kT0 + 2);
}

TEST_F(SqliteStoreTest, FeedbackCommentsLiveOnlyAsLongAsTheirExchange) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().appendExchange(exchange("s2", "m2", kT0), {1, kHour});
  store().appendExchange(exchange("s2", "m3", kT0 + 1), {1, kHour});  // trims m2
  ASSERT_TRUE(store().deleteSession("s1"));
  for (const char* message : {"m1", "m2"})
    EXPECT_TRUE(
        store().recordFeedback(vote(message, false, kT0 + 5, "late comment")).known_message);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM feedback WHERE comment <> ''"), 0);

  // While the exchange exists its comment is kept; trimming it away clears the comment.
  store().recordFeedback(vote("m3", true, kT0 + 6, "thanks"));
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm3'"), "thanks");
  store().appendExchange(exchange("s2", "m4", kT0 + 7), {1, kHour});
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm3'"), "");
  EXPECT_EQ(raw.number("SELECT helpful FROM feedback WHERE message_id = 'm3'"), 1);
}

// ---- Concurrency ----

// The contract's concurrent workload: per-session sequence numbers stay consistent.
TEST_F(SqliteStoreTest, ConcurrentWritersKeepSequenceNumbersConsistent) {
  ASSERT_EQ(runConcurrentWorkload(store()).failures, 0);
  constexpr int kTotal = kWorkloadThreads * kWorkloadPerThread;
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges"), kTotal);
  EXPECT_EQ(raw.number("SELECT count(DISTINCT session_id || '/' || seq) FROM exchanges"), kTotal);
  EXPECT_EQ(raw.number("SELECT MAX(seq) FROM exchanges"), 2 * kWorkloadPerThread);
}

// Two stores on one file stand in for two processes (the server and the CLI): SQLite's file
// locks and the busy timeout serialise their writes.
TEST_F(SqliteStoreTest, TwoStoresOnOneFileShareIt) {
  SqliteStore& first = store();
  SqliteStore second(dbPath());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      SqliteStore& target = t % 2 == 0 ? first : second;
      try {
        for (int i = 0; i < 10; ++i) {
          const std::string id = numbered(numbered("m", t) + "-", i);
          target.appendExchange(exchange(numbered("s", t), id, kT0 + i), {});
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(first.stats(0).questions, 40);
  EXPECT_EQ(second.stats(0).questions, 40);
  EXPECT_EQ(second.session("s0", kT0)->exchanges.size(), 10u);
}

}  // namespace
}  // namespace chatbot::store::contract
