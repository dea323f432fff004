// SqliteStore on real database files in a scratch folder per test: schema and migrations,
// conversations, feedback and statistics, tickets, the outbox, persistence across reopening and
// concurrent use. Times are explicit EpochMs values, so nothing depends on the clock.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store/sqlite_store.h"

namespace chatbot::store {
namespace {

namespace fs = std::filesystem;

constexpr EpochMs kT0 = 1'800'000'000'000;  // an arbitrary "now"
constexpr std::int64_t kHour = 3'600'000;

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

 private:
  sqlite3* db_ = nullptr;
};

// "m" + std::to_string(n) in a loop trips a false GCC 12 -Wrestrict warning; appending does not.
std::string numbered(std::string prefix, int n) {
  prefix += std::to_string(n);
  return prefix;
}

CitedSource source(const std::string& article_id, double score = 0.5) {
  return {article_id, "Subject of " + article_id, "network", "https://kb.example/" + article_id,
          score};
}

Exchange exchange(const std::string& session_id, const std::string& message_id, EpochMs at,
                  std::vector<CitedSource> sources = {}) {
  Exchange e;
  e.message_id = message_id;
  e.session_id = session_id;
  e.created_ms = at;
  e.query = "question " + message_id;
  e.standalone_query = "standalone question " + message_id;
  e.response = "answer " + message_id;
  e.sources = std::move(sources);
  e.answered = !e.sources.empty();
  e.generator = "extractive";
  return e;
}

Feedback vote(const std::string& message_id, bool helpful, EpochMs at,
              const std::string& comment = "") {
  return {message_id, helpful, comment, at};
}

NewTicket newTicket(const std::string& subject, const std::string& idempotency_key = "") {
  NewTicket t;
  t.session_id = "s1";
  t.subject = subject;
  t.description = "description of " + subject;
  t.category = "network";
  t.priority = TicketPriority::kHigh;
  t.contact = "user@example.com";
  t.idempotency_key = idempotency_key;
  return t;
}

std::vector<std::string> messageIds(const std::vector<Exchange>& exchanges) {
  std::vector<std::string> ids;
  for (const auto& e : exchanges) ids.push_back(e.message_id);
  return ids;
}

std::vector<std::int64_t> ticketIds(const TicketPage& page) {
  std::vector<std::int64_t> ids;
  for (const auto& t : page.tickets) ids.push_back(t.id);
  return ids;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           (numbered("chatbot-store-test-", ::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // In a folder that does not exist yet: the store creates it.
  fs::path dbPath() const { return dir_ / "state" / "store.db"; }
  SqliteStore& store() {
    if (!store_) store_ = std::make_unique<SqliteStore>(dbPath());
    return *store_;
  }
  SqliteStore& reopen() {
    store_.reset();
    return store();
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

// ---- Names ----

TEST(StoreNames, RoundTripAndRejectUnknown) {
  for (auto status : {TicketStatus::kOpen, TicketStatus::kInProgress, TicketStatus::kResolved,
                      TicketStatus::kClosed}) {
    EXPECT_EQ(parseTicketStatus(toString(status)), status);
  }
  for (auto priority : {TicketPriority::kLow, TicketPriority::kNormal, TicketPriority::kHigh,
                        TicketPriority::kUrgent}) {
    EXPECT_EQ(parseTicketPriority(toString(priority)), priority);
  }
  EXPECT_EQ(toString(TicketStatus::kInProgress), "in_progress");
  EXPECT_EQ(toString(TicketPriority::kUrgent), "urgent");
  EXPECT_EQ(toString(DeliveryState::kNone), "none");
  EXPECT_EQ(toString(DeliveryState::kFailed), "failed");
  EXPECT_FALSE(parseTicketStatus("Open"));
  EXPECT_FALSE(parseTicketStatus(""));
  EXPECT_FALSE(parseTicketPriority("critical"));
}

// ---- Opening and migrations ----

TEST_F(SqliteStoreTest, FreshFileGetsLatestSchemaInWalMode) {
  store();
  ASSERT_TRUE(fs::exists(dbPath()));
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("PRAGMA user_version"), latestSchemaVersion());
  EXPECT_EQ(latestSchemaVersion(), 1);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  for (const char* table :
       {"sessions", "exchanges", "answer_stats", "feedback", "tickets", "outbox"})
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

// ---- Conversations ----

TEST_F(SqliteStoreTest, AppendCreatesSessionAndRoundTripsExchanges) {
  const SessionPolicy policy{10, kHour};
  Exchange first = exchange("s1", "m1", kT0, {source("kb-1", 0.75), source("kb-2", 0.25)});
  first.escalation_reason = "low confidence";
  first.query = "caf\xC3\xA9 \xF0\x9F\x98\x80 wifi";
  store().appendExchange(first, policy);
  store().appendExchange(exchange("s1", "m2", kT0 + 1000), policy);

  const auto session = store().session("s1", kT0 + 2000);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->id, "s1");
  EXPECT_EQ(session->created_ms, kT0);
  EXPECT_EQ(session->updated_ms, kT0 + 1000);
  EXPECT_EQ(session->expires_ms, kT0 + 1000 + kHour);
  ASSERT_EQ(messageIds(session->exchanges), (std::vector<std::string>{"m1", "m2"}));
  const Exchange& read = session->exchanges[0];
  EXPECT_EQ(read.session_id, "s1");
  EXPECT_EQ(read.created_ms, kT0);
  EXPECT_EQ(read.query, first.query);
  EXPECT_EQ(read.standalone_query, first.standalone_query);
  EXPECT_EQ(read.response, first.response);
  EXPECT_TRUE(read.answered);
  EXPECT_FALSE(session->exchanges[1].answered);
  EXPECT_EQ(read.generator, "extractive");
  EXPECT_EQ(read.escalation_reason, "low confidence");
  ASSERT_EQ(read.sources.size(), 2u);
  EXPECT_EQ(read.sources[0].article_id, "kb-1");
  EXPECT_EQ(read.sources[0].subject, "Subject of kb-1");
  EXPECT_EQ(read.sources[0].category, "network");
  EXPECT_EQ(read.sources[0].url, "https://kb.example/kb-1");
  EXPECT_DOUBLE_EQ(read.sources[0].score, 0.75);
  EXPECT_EQ(read.sources[1].article_id, "kb-2");

  EXPECT_FALSE(store().session("nobody", kT0));
  EXPECT_TRUE(store().recentExchanges("nobody", 5, kT0).empty());
}

TEST_F(SqliteStoreTest, AppendKeepsOnlyTheNewestExchangesOfThePolicy) {
  const SessionPolicy policy{3, kHour};
  for (int i = 1; i <= 5; ++i)
    store().appendExchange(exchange("s1", numbered("m", i), kT0 + i), policy);
  const auto session = store().session("s1", kT0 + 10);
  ASSERT_TRUE(session);
  EXPECT_EQ(messageIds(session->exchanges), (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_EQ(messageIds(store().recentExchanges("s1", 2, kT0 + 10)),
            (std::vector<std::string>{"m4", "m5"}));
  EXPECT_EQ(messageIds(store().recentExchanges("s1", 10, kT0 + 10)),
            (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_TRUE(store().recentExchanges("s1", 0, kT0 + 10).empty());
  EXPECT_EQ(store().stats(0).questions, 5);  // trimmed exchanges still count

  // A smaller policy later trims further; zero keeps nothing but still counts the question.
  store().appendExchange(exchange("s1", "m6", kT0 + 6), {1, kHour});
  EXPECT_EQ(messageIds(store().recentExchanges("s1", 10, kT0 + 10)),
            (std::vector<std::string>{"m6"}));
  store().appendExchange(exchange("s1", "m7", kT0 + 7), {0, kHour});
  EXPECT_TRUE(store().recentExchanges("s1", 10, kT0 + 10).empty());
  EXPECT_EQ(store().stats(0).questions, 7);
}

TEST_F(SqliteStoreTest, ExpiredSessionIsHiddenThenStartsAfresh) {
  const SessionPolicy policy{10, 1000};
  store().appendExchange(exchange("s1", "m1", kT0), policy);
  store().appendExchange(exchange("s1", "m2", kT0 + 500), policy);  // moves expiry to +1500
  EXPECT_TRUE(store().session("s1", kT0 + 1499));
  EXPECT_EQ(store().recentExchanges("s1", 5, kT0 + 1499).size(), 2u);
  EXPECT_FALSE(store().session("s1", kT0 + 1500));  // expiry is exclusive
  EXPECT_TRUE(store().recentExchanges("s1", 5, kT0 + 1500).empty());

  store().appendExchange(exchange("s1", "m3", kT0 + 5000), policy);
  const auto session = store().session("s1", kT0 + 5000);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->created_ms, kT0 + 5000);
  EXPECT_EQ(session->expires_ms, kT0 + 6000);
  EXPECT_EQ(messageIds(session->exchanges), (std::vector<std::string>{"m3"}));
}

TEST_F(SqliteStoreTest, DuplicateMessageIdFailsAndRollsBackEverything) {
  store().appendExchange(exchange("s1", "m1", kT0), {});
  // Into another, new session: the session it would have created must not survive either.
  EXPECT_THROW(store().appendExchange(exchange("s2", "m1", kT0 + 1), {}), StoreError);
  EXPECT_FALSE(store().session("s2", kT0 + 2));
  EXPECT_EQ(store().session("s1", kT0 + 2)->exchanges.size(), 1u);
  EXPECT_EQ(store().stats(0).questions, 1);
  // After its exchange is gone the id is still taken (statistics remember it).
  ASSERT_TRUE(store().deleteSession("s1"));
  EXPECT_THROW(store().appendExchange(exchange("s3", "m1", kT0 + 3), {}), StoreError);
  EXPECT_FALSE(store().session("s3", kT0 + 4));
  // The store is usable after the failures.
  store().appendExchange(exchange("s2", "m2", kT0 + 5), {});
  EXPECT_EQ(store().session("s2", kT0 + 6)->exchanges.size(), 1u);
  EXPECT_EQ(store().stats(0).questions, 2);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges"), 1);
  EXPECT_EQ(raw.number("SELECT count(*) FROM answer_stats"), 2);
}

TEST_F(SqliteStoreTest, AppendExchangesCommitsAllOrNothing) {
  store().appendExchanges({exchange("s1", "m1", kT0), exchange("s2", "m2", kT0), exchange("s1", "m3", kT0 + 1)}, {});
  EXPECT_EQ(store().session("s1", kT0 + 2)->exchanges.size(), 2u);
  EXPECT_EQ(store().session("s2", kT0 + 2)->exchanges.size(), 1u);
  // One duplicate id fails the whole group: nothing of it is stored.
  EXPECT_THROW(store().appendExchanges({exchange("s3", "m4", kT0 + 3), exchange("s3", "m1", kT0 + 3)}, {}), StoreError);
  EXPECT_FALSE(store().session("s3", kT0 + 4));
  EXPECT_EQ(store().stats(0).questions, 3);
  store().appendExchanges({}, {});  // nothing to do
  EXPECT_EQ(store().stats(0).questions, 3);
}

TEST_F(SqliteStoreTest, DeleteSessionRemovesConversationButKeepsStatistics) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().appendExchange(exchange("s2", "m2", kT0), {});
  store().recordFeedback(vote("m1", false, kT0 + 1, "it did not help"));
  EXPECT_TRUE(store().deleteSession("s1"));
  EXPECT_FALSE(store().deleteSession("s1"));
  EXPECT_FALSE(store().deleteSession("never-existed"));
  EXPECT_FALSE(store().session("s1", kT0 + 2));
  EXPECT_TRUE(store().session("s2", kT0 + 2));

  const Stats stats = store().stats(5);
  EXPECT_EQ(stats.questions, 2);
  EXPECT_EQ(stats.feedback, 1);
  EXPECT_EQ(stats.not_helpful, 1);
  ASSERT_EQ(stats.worst_articles.size(), 1u);
  EXPECT_EQ(stats.worst_articles[0].article_id, "kb-1");
  // No text of the deleted conversation is left: the exchange and the feedback comment are gone.
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges WHERE session_id = 's1'"), 0);
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm1'"), "");
}

TEST_F(SqliteStoreTest, PurgeDeletesOnlyExpiredSessions) {
  store().appendExchange(exchange("short", "m1", kT0), {10, 1000});
  store().appendExchange(exchange("medium", "m2", kT0), {10, 2000});
  store().appendExchange(exchange("long", "m3", kT0), {10, 5000});
  EXPECT_EQ(store().purgeExpiredSessions(kT0 + 999), 0u);
  EXPECT_EQ(store().purgeExpiredSessions(kT0 + 2000), 2u);
  EXPECT_EQ(store().purgeExpiredSessions(kT0 + 2000), 0u);
  EXPECT_TRUE(store().session("long", kT0 + 2000));
  EXPECT_EQ(store().stats(0).questions, 3);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges"), 1);
}

// ---- Feedback and statistics ----

TEST_F(SqliteStoreTest, FeedbackOnUnknownMessageStoresNothing) {
  const auto outcome = store().recordFeedback(vote("no-such-message", true, kT0));
  EXPECT_FALSE(outcome.known_message);
  EXPECT_FALSE(outcome.replaced);
  EXPECT_EQ(outcome.session_id, "");
  EXPECT_EQ(store().stats(5).feedback, 0);
}

TEST_F(SqliteStoreTest, LaterFeedbackReplacesEarlier) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  auto outcome = store().recordFeedback(vote("m1", true, kT0 + 1, "great"));
  EXPECT_TRUE(outcome.known_message);
  EXPECT_FALSE(outcome.replaced);
  EXPECT_EQ(outcome.session_id, "s1");
  Stats stats = store().stats(5);
  EXPECT_EQ(stats.helpful, 1);
  EXPECT_TRUE(stats.worst_articles.empty());

  outcome = store().recordFeedback(vote("m1", false, kT0 + 2, "actually no"));
  EXPECT_TRUE(outcome.known_message);
  EXPECT_TRUE(outcome.replaced);
  stats = store().stats(5);
  EXPECT_EQ(stats.feedback, 1);
  EXPECT_EQ(stats.helpful, 0);
  EXPECT_EQ(stats.not_helpful, 1);
  ASSERT_EQ(stats.worst_articles.size(), 1u);
  EXPECT_EQ(stats.worst_articles[0].helpful, 0);
  EXPECT_EQ(stats.worst_articles[0].not_helpful, 1);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm1'"), "actually no");
  EXPECT_EQ(raw.number("SELECT created_ms FROM feedback WHERE message_id = 'm1'"), kT0 + 1);
  EXPECT_EQ(raw.number("SELECT updated_ms FROM feedback WHERE message_id = 'm1'"), kT0 + 2);
}

TEST_F(SqliteStoreTest, FeedbackAfterTheConversationIsGoneCountsWithoutText) {
  store().appendExchange(exchange("s1", "m1", kT0, {source("kb-1")}), {});
  store().appendExchange(exchange("s2", "m2", kT0), {1, kHour});
  store().appendExchange(exchange("s2", "m3", kT0 + 1), {1, kHour});  // trims m2
  ASSERT_TRUE(store().deleteSession("s1"));

  for (const char* message : {"m1", "m2"}) {
    const auto outcome = store().recordFeedback(vote(message, false, kT0 + 5, "late comment"));
    EXPECT_TRUE(outcome.known_message) << message;
    EXPECT_FALSE(outcome.replaced) << message;
    EXPECT_EQ(outcome.session_id, "") << message;
  }
  const Stats stats = store().stats(5);
  EXPECT_EQ(stats.feedback, 2);
  EXPECT_EQ(stats.not_helpful, 2);
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM feedback WHERE comment <> ''"), 0);

  // While the exchange exists its comment is kept; trimming it away clears the comment.
  store().recordFeedback(vote("m3", true, kT0 + 6, "thanks"));
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm3'"), "thanks");
  store().appendExchange(exchange("s2", "m4", kT0 + 7), {1, kHour});
  EXPECT_EQ(raw.text("SELECT comment FROM feedback WHERE message_id = 'm3'"), "");
  EXPECT_EQ(raw.number("SELECT helpful FROM feedback WHERE message_id = 'm3'"), 1);
}

TEST_F(SqliteStoreTest, StatsCountEverythingAndRankWorstArticles) {
  int next = 0;
  // Appends an answer citing `article` first and rates it.
  const auto rated = [&](const std::string& article, bool helpful) {
    const std::string id = numbered("m", ++next);
    store().appendExchange(
        exchange(numbered("s", next % 3), id, kT0 + next, {source(article), source("kb-second")}),
        {});
    store().recordFeedback(vote(id, helpful, kT0 + next));
  };
  for (int i = 0; i < 2; ++i) rated("kb-a", false);
  rated("kb-a", true);                               // a: 2 not helpful, 1 helpful
  for (int i = 0; i < 2; ++i) rated("kb-b", false);  // b: 2 not helpful, 0 helpful: worse than a
  rated("kb-d", false);
  for (int i = 0; i < 3; ++i) rated("kb-d", true);  // d: 1 not helpful, 3 helpful
  rated("kb-c", false);
  for (int i = 0; i < 3; ++i) rated("kb-c", true);     // c: as d, before it by id
  for (int i = 0; i < 4; ++i) rated("kb-good", true);  // never "not helpful": not listed

  // Unrated, unanswered and escalated answers count as questions only.
  Exchange unanswered = exchange("s9", "m-unanswered", kT0 + 100);
  unanswered.escalation_reason = "no article matched";
  store().appendExchange(unanswered, {});
  // Rated but without sources: counts as feedback, ranks no article.
  store().appendExchange(exchange("s9", "m-nosource", kT0 + 101), {});
  store().recordFeedback(vote("m-nosource", false, kT0 + 102));

  store().createTicket(newTicket("one"), kT0, false);
  const auto second = store().createTicket(newTicket("two"), kT0, false).ticket;
  const auto third = store().createTicket(newTicket("three"), kT0, false).ticket;
  store().updateTicketStatus(second.id, TicketStatus::kInProgress, kT0 + 1, false);
  store().updateTicketStatus(third.id, TicketStatus::kResolved, kT0 + 1, false);

  const Stats stats = store().stats(10);
  EXPECT_EQ(stats.questions, next + 2);
  EXPECT_EQ(stats.answered, next);
  EXPECT_EQ(stats.unanswered, 2);
  EXPECT_EQ(stats.escalations_suggested, 1);
  EXPECT_EQ(stats.feedback, next + 1);
  EXPECT_EQ(stats.helpful, 1 + 3 + 3 + 4);
  EXPECT_EQ(stats.not_helpful, 2 + 2 + 1 + 1 + 1);
  EXPECT_EQ(stats.tickets, 3);
  EXPECT_EQ(stats.tickets_open, 2);
  ASSERT_EQ(stats.worst_articles.size(), 4u);
  std::vector<std::string> order;
  for (const auto& a : stats.worst_articles) order.push_back(a.article_id);
  EXPECT_EQ(order, (std::vector<std::string>{"kb-b", "kb-a", "kb-c", "kb-d"}));
  EXPECT_EQ(stats.worst_articles[1].subject, "Subject of kb-a");
  EXPECT_EQ(stats.worst_articles[1].helpful, 1);
  EXPECT_EQ(stats.worst_articles[1].not_helpful, 2);

  EXPECT_EQ(store().stats(2).worst_articles.size(), 2u);
  EXPECT_TRUE(store().stats(0).worst_articles.empty());
}

TEST_F(SqliteStoreTest, EmptyStoreHasZeroStats) {
  const Stats stats = store().stats(5);
  EXPECT_EQ(stats.questions, 0);
  EXPECT_EQ(stats.answered, 0);
  EXPECT_EQ(stats.feedback, 0);
  EXPECT_EQ(stats.tickets, 0);
  EXPECT_TRUE(stats.worst_articles.empty());
}

// ---- Tickets ----

TEST_F(SqliteStoreTest, CreateTicketRoundTripsEveryField) {
  NewTicket request = newTicket("Printer jams");
  request.transcript = {exchange("s1", "m1", kT0, {source("kb-1", 0.9)})};
  request.transcript[0].escalation_reason = "user asked";
  request.transcript[0].response = "bad byte \xFF here";  // unredeemable: stored as U+FFFD
  request.articles_tried = {source("kb-1", 0.9), source("kb-2", 0.4)};

  const auto created = store().createTicket(request, kT0, /*notify=*/false);
  EXPECT_TRUE(created.created);
  const Ticket& t = created.ticket;
  EXPECT_EQ(t.id, 1);
  EXPECT_EQ(t.status, TicketStatus::kOpen);
  EXPECT_EQ(t.created_ms, kT0);
  EXPECT_EQ(t.updated_ms, kT0);
  EXPECT_EQ(t.delivery.state, DeliveryState::kNone);

  const auto read = store().ticket(t.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->session_id, "s1");
  EXPECT_EQ(read->subject, "Printer jams");
  EXPECT_EQ(read->description, "description of Printer jams");
  EXPECT_EQ(read->category, "network");
  EXPECT_EQ(read->priority, TicketPriority::kHigh);
  EXPECT_EQ(read->contact, "user@example.com");
  EXPECT_EQ(read->idempotency_key, "");
  ASSERT_EQ(read->transcript.size(), 1u);
  const Exchange& e = read->transcript[0];
  EXPECT_EQ(e.message_id, "m1");
  EXPECT_EQ(e.session_id, "s1");
  EXPECT_EQ(e.created_ms, kT0);
  EXPECT_EQ(e.query, "question m1");
  EXPECT_EQ(e.standalone_query, "standalone question m1");
  EXPECT_EQ(e.response, "bad byte \xEF\xBF\xBD here");
  EXPECT_TRUE(e.answered);
  EXPECT_EQ(e.generator, "extractive");
  EXPECT_EQ(e.escalation_reason, "user asked");
  ASSERT_EQ(e.sources.size(), 1u);
  EXPECT_DOUBLE_EQ(e.sources[0].score, 0.9);
  ASSERT_EQ(read->articles_tried.size(), 2u);
  EXPECT_EQ(read->articles_tried[1].article_id, "kb-2");
  EXPECT_EQ(read->articles_tried[1].url, "https://kb.example/kb-2");

  NewTicket anonymous = newTicket("Free text");
  anonymous.session_id.clear();
  anonymous.contact.clear();
  EXPECT_EQ(store().createTicket(anonymous, kT0 + 1, false).ticket.id, 2);
  EXPECT_EQ(store().ticket(2)->session_id, "");
  EXPECT_FALSE(store().ticket(3));
  EXPECT_FALSE(store().ticket(0));
}

TEST_F(SqliteStoreTest, IdempotencyKeyReturnsTheFirstTicketAndQueuesOnce) {
  const auto first = store().createTicket(newTicket("Laptop broken", "key-1"), kT0, true);
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.ticket.delivery.state, DeliveryState::kPending);
  EXPECT_EQ(first.ticket.delivery.next_attempt_ms, kT0);
  EXPECT_EQ(first.ticket.idempotency_key, "key-1");

  const auto again = store().createTicket(newTicket("Different subject", "key-1"), kT0 + 5, true);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.ticket.id, first.ticket.id);
  EXPECT_EQ(again.ticket.subject, "Laptop broken");
  EXPECT_EQ(again.ticket.created_ms, kT0);

  const auto other = store().createTicket(newTicket("Other", "key-2"), kT0 + 6, false);
  EXPECT_TRUE(other.created);
  EXPECT_NE(other.ticket.id, first.ticket.id);
  // Without a key, every create is a new ticket.
  EXPECT_TRUE(store().createTicket(newTicket("x"), kT0 + 7, false).created);
  EXPECT_TRUE(store().createTicket(newTicket("x"), kT0 + 7, false).created);

  const auto events = store().dueEvents(kT0 + 100, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ticket_id, first.ticket.id);
  EXPECT_EQ(events[0].event, "ticket.created");
  EXPECT_EQ(events[0].attempts, 0);
  EXPECT_EQ(events[0].created_ms, kT0);
  EXPECT_EQ(store().stats(0).tickets, 4);
}

TEST_F(SqliteStoreTest, UpdateTicketStatusChangesOnlyRealChanges) {
  EXPECT_FALSE(store().updateTicketStatus(42, TicketStatus::kClosed, kT0, true));
  const auto id = store().createTicket(newTicket("Mail"), kT0, false).ticket.id;

  const auto same = store().updateTicketStatus(id, TicketStatus::kOpen, kT0 + 10, true);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->updated_ms, kT0);
  EXPECT_EQ(same->delivery.state, DeliveryState::kNone);
  EXPECT_FALSE(store().nextDueTime());

  const auto changed = store().updateTicketStatus(id, TicketStatus::kInProgress, kT0 + 20, true);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, TicketStatus::kInProgress);
  EXPECT_EQ(changed->updated_ms, kT0 + 20);
  EXPECT_EQ(changed->created_ms, kT0);
  EXPECT_EQ(changed->delivery.state, DeliveryState::kPending);
  auto events = store().dueEvents(kT0 + 20, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "ticket.updated");

  // Without notify the status changes and nothing is queued; delivery still shows the latest event.
  const auto resolved = store().updateTicketStatus(id, TicketStatus::kResolved, kT0 + 30, false);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->status, TicketStatus::kResolved);
  EXPECT_EQ(store().dueEvents(kT0 + 30, 10).size(), 1u);
  EXPECT_EQ(store().ticket(id)->status, TicketStatus::kResolved);
}

TEST_F(SqliteStoreTest, ListTicketsPagesNewestFirst) {
  for (int i = 1; i <= 5; ++i) store().createTicket(newTicket(numbered("t", i)), kT0, false);
  store().updateTicketStatus(2, TicketStatus::kClosed, kT0, false);
  store().updateTicketStatus(4, TicketStatus::kClosed, kT0, false);

  TicketListQuery query;
  query.limit = 2;
  auto page = store().listTickets(query);
  EXPECT_EQ(ticketIds(page), (std::vector<std::int64_t>{5, 4}));
  ASSERT_EQ(page.next_before_id, 4);
  EXPECT_EQ(page.tickets[0].subject, "t5");
  query.before_id = page.next_before_id;
  page = store().listTickets(query);
  EXPECT_EQ(ticketIds(page), (std::vector<std::int64_t>{3, 2}));
  ASSERT_EQ(page.next_before_id, 2);
  query.before_id = page.next_before_id;
  page = store().listTickets(query);
  EXPECT_EQ(ticketIds(page), (std::vector<std::int64_t>{1}));
  EXPECT_FALSE(page.next_before_id);

  // A last page that is exactly full has no next page.
  page = store().listTickets({std::nullopt, std::nullopt, 5});
  EXPECT_EQ(page.tickets.size(), 5u);
  EXPECT_FALSE(page.next_before_id);

  TicketListQuery closed{TicketStatus::kClosed, std::nullopt, 1};
  page = store().listTickets(closed);
  EXPECT_EQ(ticketIds(page), (std::vector<std::int64_t>{4}));
  ASSERT_EQ(page.next_before_id, 4);
  closed.before_id = 4;
  page = store().listTickets(closed);
  EXPECT_EQ(ticketIds(page), (std::vector<std::int64_t>{2}));
  EXPECT_FALSE(page.next_before_id);
  EXPECT_EQ(ticketIds(store().listTickets({TicketStatus::kOpen, std::nullopt, 20})),
            (std::vector<std::int64_t>{5, 3, 1}));
  EXPECT_TRUE(store().listTickets({TicketStatus::kResolved, std::nullopt, 20}).tickets.empty());
  EXPECT_TRUE(store().listTickets({std::nullopt, std::nullopt, 0}).tickets.empty());
}

// ---- Outbox ----

TEST_F(SqliteStoreTest, OutboxDeliversRetriesAndGivesUp) {
  EXPECT_FALSE(store().nextDueTime());
  EXPECT_TRUE(store().dueEvents(kT0, 10).empty());
  const auto a = store().createTicket(newTicket("a"), kT0, true).ticket.id;
  const auto b = store().createTicket(newTicket("b"), kT0 + 10, true).ticket.id;
  const auto c = store().createTicket(newTicket("c"), kT0 + 20, true).ticket.id;

  EXPECT_EQ(store().nextDueTime(), kT0);
  EXPECT_EQ(store().dueEvents(kT0 - 1, 10).size(), 0u);
  auto due = store().dueEvents(kT0 + 15, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].ticket_id, a);
  EXPECT_EQ(due[1].ticket_id, b);
  EXPECT_EQ(store().dueEvents(kT0 + 100, 1).size(), 1u);

  // a: delivered at once.
  store().markDelivered(due[0].id, kT0 + 30);
  auto ticket_a = store().ticket(a);
  EXPECT_EQ(ticket_a->delivery.state, DeliveryState::kDelivered);
  EXPECT_EQ(ticket_a->delivery.attempts, 1);
  EXPECT_EQ(ticket_a->delivery.delivered_ms, kT0 + 30);
  EXPECT_EQ(ticket_a->delivery.next_attempt_ms, 0);

  // b: fails, is retried later, then delivered; the success clears the error.
  store().markAttemptFailed(due[1].id, "HTTP 503", kT0 + 1000);
  auto ticket_b = store().ticket(b);
  EXPECT_EQ(ticket_b->delivery.state, DeliveryState::kPending);
  EXPECT_EQ(ticket_b->delivery.attempts, 1);
  EXPECT_EQ(ticket_b->delivery.last_error, "HTTP 503");
  EXPECT_EQ(ticket_b->delivery.next_attempt_ms, kT0 + 1000);
  EXPECT_EQ(store().nextDueTime(), kT0 + 20);  // c
  due = store().dueEvents(kT0 + 999, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].ticket_id, c);
  const auto event_c = due[0].id;
  due = store().dueEvents(kT0 + 1000, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].ticket_id, b);  // oldest first, though its due time is later
  EXPECT_EQ(due[0].attempts, 1);
  store().markDelivered(due[0].id, kT0 + 1001);
  ticket_b = store().ticket(b);
  EXPECT_EQ(ticket_b->delivery.state, DeliveryState::kDelivered);
  EXPECT_EQ(ticket_b->delivery.attempts, 2);
  EXPECT_EQ(ticket_b->delivery.last_error, "");

  // c: given up.
  store().markAttemptFailed(event_c, "connection refused", std::nullopt);
  const auto ticket_c = store().ticket(c);
  EXPECT_EQ(ticket_c->delivery.state, DeliveryState::kFailed);
  EXPECT_EQ(ticket_c->delivery.attempts, 1);
  EXPECT_EQ(ticket_c->delivery.last_error, "connection refused");
  EXPECT_FALSE(store().nextDueTime());
  EXPECT_TRUE(store().dueEvents(kT0 + 1'000'000, 10).empty());

  // Reports on events that are not pending change nothing.
  store().markDelivered(event_c, kT0 + 2000);
  store().markAttemptFailed(due[0].id, "late duplicate", kT0 + 3000);
  store().markDelivered(9999, kT0);
  EXPECT_EQ(store().ticket(c)->delivery.state, DeliveryState::kFailed);
  EXPECT_EQ(store().ticket(b)->delivery.state, DeliveryState::kDelivered);
  EXPECT_EQ(store().ticket(b)->delivery.last_error, "");
  EXPECT_FALSE(store().nextDueTime());

  // A new event makes the ticket pending again: delivery follows the latest event.
  store().updateTicketStatus(a, TicketStatus::kClosed, kT0 + 4000, true);
  EXPECT_EQ(store().ticket(a)->delivery.state, DeliveryState::kPending);
  EXPECT_EQ(store().ticket(a)->delivery.attempts, 0);
  EXPECT_EQ(store().nextDueTime(), kT0 + 4000);
}

// ---- Concurrency ----

// Writers on every kind of write at once, with readers alongside: every call succeeds, nothing is
// lost or duplicated, and per-session sequence numbers stay consistent.
TEST_F(SqliteStoreTest, ConcurrentWritersAndReaders) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  const SessionPolicy policy{1000, kHour};
  store();
  std::atomic<int> failures{0};
  std::atomic<int> created_with_shared_key{0};
  std::atomic<bool> writers_done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string id = numbered(numbered("m-", t) + "-", i);
          // Two threads share each session, so appends to one session interleave.
          store_->appendExchange(
              exchange(numbered("s", t / 2), id, kT0 + i, {source(numbered("kb-", i % 3))}),
              policy);
          store_->recordFeedback(vote(id, i % 2 == 0, kT0 + i));
          store_->createTicket(newTicket(id, "key-" + id), kT0 + i, /*notify=*/true);
          if (store_->createTicket(newTicket("shared", "shared-key"), kT0, true).created)
            ++created_with_shared_key;
        }
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  std::thread reader([&] {
    try {
      while (!writers_done) {
        const Stats stats = store_->stats(3);
        EXPECT_LE(stats.feedback, stats.questions);
        store_->listTickets({});
        store_->recentExchanges("s0", 5, kT0);
      }
    } catch (const std::exception& e) {
      ++failures;
      ADD_FAILURE() << e.what();
    }
  });
  for (auto& thread : threads) thread.join();
  writers_done = true;
  reader.join();
  ASSERT_EQ(failures.load(), 0);

  constexpr int kTotal = kThreads * kPerThread;
  EXPECT_EQ(created_with_shared_key.load(), 1);
  const Stats stats = store().stats(10);
  EXPECT_EQ(stats.questions, kTotal);
  EXPECT_EQ(stats.feedback, kTotal);
  EXPECT_EQ(stats.tickets, kTotal + 1);
  EXPECT_EQ(store().dueEvents(kT0 + kHour, 10'000).size(), static_cast<std::size_t>(kTotal + 1));
  for (int s = 0; s < kThreads / 2; ++s) {
    const auto session = store().session(numbered("s", s), kT0);
    ASSERT_TRUE(session);
    EXPECT_EQ(session->exchanges.size(), static_cast<std::size_t>(2 * kPerThread));
  }
  std::set<std::int64_t> ids;
  for (TicketListQuery query{std::nullopt, std::nullopt, 64};;) {
    const auto page = store().listTickets(query);
    for (const auto& t : page.tickets) EXPECT_TRUE(ids.insert(t.id).second) << t.id;
    if (!page.next_before_id) break;
    query.before_id = page.next_before_id;
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kTotal + 1));
  RawDatabase raw(dbPath());
  EXPECT_EQ(raw.number("SELECT count(*) FROM exchanges"), kTotal);
  EXPECT_EQ(raw.number("SELECT count(DISTINCT session_id || '/' || seq) FROM exchanges"), kTotal);
  EXPECT_EQ(raw.number("SELECT MAX(seq) FROM exchanges"), 2 * kPerThread);
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
}  // namespace chatbot::store
