#include "store/sqlite_store.h"

#include <algorithm>
#include <limits>
#include <system_error>
#include <utility>

#include "store/migrations.h"
#include "store/sqlite_store_detail.h"
#include "store/store_json.h"

namespace chatbot::store {

namespace fs = std::filesystem;
using detail::saturatedInt64;
using sqlite::Connection;
using sqlite::Query;
using Mode = sqlite::Transaction::Mode;

namespace {

// How long a write waits for another process's write (the CLI, say) before failing.
constexpr int kBusyTimeoutMs = 5000;

EpochMs saturatedSum(EpochMs time, std::int64_t duration) {
  EpochMs sum = 0;
  if (!__builtin_add_overflow(time, duration, &sum)) return sum;
  return duration > 0 ? std::numeric_limits<EpochMs>::max() : std::numeric_limits<EpochMs>::min();
}

// ---- Conversations ----

#define CHATBOT_SELECT_EXCHANGE                                                             \
  "SELECT message_id, session_id, created_ms, query, standalone_query, response, sources, " \
  "answered, generator, escalation_reason FROM exchanges "
constexpr std::string_view kSelectSessionExchanges =
    CHATBOT_SELECT_EXCHANGE "WHERE session_id = ?1 ORDER BY seq";
// Newest first, so that LIMIT keeps the latest; the caller restores the order.
constexpr std::string_view kSelectRecentExchanges = CHATBOT_SELECT_EXCHANGE
    "WHERE session_id = ?1 AND EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND expires_ms > ?2) "
    "ORDER BY seq DESC LIMIT ?3";
#undef CHATBOT_SELECT_EXCHANGE

Exchange readExchange(const Query& row) {
  Exchange e;
  e.message_id = row.text(0);
  e.session_id = row.text(1);
  e.created_ms = row.integer(2);
  e.query = row.text(3);
  e.standalone_query = row.text(4);
  e.response = row.text(5);
  e.sources = sourcesFromJson(row.text(6));
  e.answered = row.integer(7) != 0;
  e.generator = row.text(8);
  e.escalation_reason = row.text(9);
  return e;
}

// ---- appendExchange's statements, inside the caller's write transaction ----

// Extends the session's life to `expires`, creating it (again, owned by whoever asked) when it is
// missing or has expired.
void renewSession(Connection& db, const Exchange& exchange, EpochMs expires) {
  const std::string& session_id = exchange.session_id;
  const EpochMs now = exchange.created_ms;
  std::optional<EpochMs> live_until;
  {
    auto row = db.query("SELECT expires_ms FROM sessions WHERE id = ?1");
    row.bindText(1, session_id);
    if (row.step()) live_until = row.integer(0);
  }
  if (live_until && *live_until <= now) {
    // Expired but not yet purged: the conversation starts afresh (its exchanges cascade).
    db.query("DELETE FROM sessions WHERE id = ?1").bindText(1, session_id).run();
    live_until.reset();
  }
  if (live_until) {
    // MAX: appends racing in from several requests must not move the expiry backwards.
    db.query(
          "UPDATE sessions SET updated_ms = MAX(updated_ms, ?2), expires_ms = MAX(expires_ms, "
          "?3) "
          "WHERE id = ?1")
        .bindText(1, session_id)
        .bindInt(2, now)
        .bindInt(3, expires)
        .run();
  } else {
    db.query(
          "INSERT INTO sessions (id, created_ms, updated_ms, expires_ms, owner) "
          "VALUES (?1, ?2, ?2, ?3, ?4)")
        .bindText(1, session_id)
        .bindInt(2, now)
        .bindInt(3, expires)
        .bindText(4, exchange.owner)
        .run();
  }
}

// Stores the exchange as its session's next and returns its sequence number. A duplicate
// message_id fails here and the whole append rolls back.
std::int64_t insertExchange(Connection& db, const Exchange& exchange) {
  auto insert = db.query(
      "INSERT INTO exchanges (message_id, session_id, seq, created_ms, query, "
      "standalone_query, "
      "response, sources, answered, generator, escalation_reason) VALUES (?1, ?2, "
      "(SELECT COALESCE(MAX(seq), 0) + 1 FROM exchanges WHERE session_id = ?2), "
      "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING seq");
  insert.bindText(1, exchange.message_id)
      .bindText(2, exchange.session_id)
      .bindInt(3, exchange.created_ms)
      .bindText(4, exchange.query)
      .bindText(5, exchange.standalone_query)
      .bindText(6, exchange.response)
      .bindText(7, sourcesToJson(exchange.sources))
      .bindInt(8, exchange.answered ? 1 : 0)
      .bindText(9, exchange.generator)
      .bindText(10, exchange.escalation_reason);
  // SQLite makes the whole change during the first step; the row it returns is the only one.
  if (!insert.step()) throw StoreError("storing an exchange returned no sequence number");
  return insert.integer(0);
}

// The exchange's row in the statistics, which outlive it. A duplicate message_id (of an exchange
// already trimmed or deleted) fails here and the whole append rolls back.
void insertAnswerStats(Connection& db, const Exchange& exchange) {
  auto insert = db.query(
      "INSERT INTO answer_stats (message_id, created_ms, answered, escalated, top_article_id, "
      "top_subject, owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bindText(7, exchange.owner);
  insert.bindText(1, exchange.message_id)
      .bindInt(2, exchange.created_ms)
      .bindInt(3, exchange.answered ? 1 : 0)
      .bindInt(4, exchange.escalation_reason.empty() ? 0 : 1);
  if (exchange.sources.empty()) {
    insert.bindNull(5).bindNull(6);
  } else {
    insert.bindText(5, exchange.sources.front().article_id)
        .bindText(6, exchange.sources.front().subject);
  }
  insert.run();
}

// Keeps the newest max_exchanges of the session whose latest exchange has sequence number `seq`.
// Sequence numbers grow by one per exchange and only the oldest are ever removed (a whole session
// goes at once), so those are seq - max and below; a session that has not grown past the limit
// (almost every append) needs no statement.
void trimSession(Connection& db, const std::string& session_id, std::int64_t seq,
                 std::size_t max_exchanges) {
  const std::int64_t keep = saturatedInt64(max_exchanges);
  if (seq > keep) {
    db.query("DELETE FROM exchanges WHERE session_id = ?1 AND seq <= ?2")
        .bindText(1, session_id)
        .bindInt(2, seq - keep)
        .run();
  }
}

}  // namespace

// ---- Opening ----

// ---- Opening ----

SqliteStore::SqliteStore(const fs::path& path) : path_(path) {
  const std::string context = "cannot use the store database " + path_.string() + ": ";
  try {
    if (path_.has_parent_path()) {
      std::error_code error;
      fs::create_directories(path_.parent_path(), error);
      if (error) throw StoreError("creating its folder failed: " + error.message());
    }
    writer_ = std::make_unique<Connection>(path_, /*create=*/true);
    // The busy timeout first: another process may hold the lock while it opens or migrates.
    writer_->execute("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs));
    // Per connection: FULL syncs on every commit (durable on power loss); foreign keys (the
    // cascades the schema relies on) are off unless asked for.
    writer_->execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
    // Migrating before switching to WAL leaves a database we refuse exactly as we found it.
    migrate(*writer_);
    const std::string journal = writer_->scalarText("PRAGMA journal_mode = WAL");
    if (journal != "wal") {
      throw StoreError("SQLite kept journal mode '" + journal +
                       "' instead of WAL (a network or in-memory file system?)");
    }
    reader_ = std::make_unique<Connection>(path_, /*create=*/false);
    reader_->execute("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs) +
                     "; PRAGMA query_only = ON");
  } catch (const IncompatibleSchemaError& e) {
    throw StoreError(context + e.what());
  } catch (const StoreError& e) {
    throw StoreError(context + e.what() +
                     ". Check that its folder is writable, the disk is not full and no other "
                     "program keeps the file locked. A damaged database can be restored from a "
                     "backup, or moved aside together with its -wal and -shm files to start "
                     "afresh");
  }
}

// ---- Conversations ----

void SqliteStore::appendExchange(const Exchange& exchange, const SessionPolicy& policy) {
  inTransaction(Mode::kWrite, "appendExchange",
                [&](Connection& db) { appendExchangeIn(db, exchange, policy); });
}

void SqliteStore::appendExchanges(const std::vector<Exchange>& exchanges,
                                  const SessionPolicy& policy) {
  if (exchanges.empty()) return;
  inTransaction(Mode::kWrite, "appendExchanges", [&](Connection& db) {
    for (const auto& exchange : exchanges) appendExchangeIn(db, exchange, policy);
  });
}

void SqliteStore::appendExchangeIn(Connection& db, const Exchange& exchange,
                                   const SessionPolicy& policy) {
  const EpochMs now = exchange.created_ms;
  renewSession(db, exchange, saturatedSum(now, policy.ttl_ms));
  const std::int64_t seq = insertExchange(db, exchange);
  insertAnswerStats(db, exchange);
  trimSession(db, exchange.session_id, seq, policy.max_exchanges);
}

std::optional<Session> SqliteStore::session(const std::string& id, EpochMs now) {
  return inTransaction(Mode::kRead, "session", [&](Connection& db) -> std::optional<Session> {
    Session session;
    {
      auto row = db.query(
          "SELECT created_ms, updated_ms, expires_ms, owner FROM sessions WHERE id = ?1 AND "
          "expires_ms > ?2");
      row.bindText(1, id).bindInt(2, now);
      if (!row.step()) return std::nullopt;
      session.id = id;
      session.created_ms = row.integer(0);
      session.updated_ms = row.integer(1);
      session.expires_ms = row.integer(2);
      session.owner = row.text(3);
    }
    auto rows = db.query(kSelectSessionExchanges);
    rows.bindText(1, id);
    while (rows.step()) session.exchanges.push_back(readExchange(rows));
    return session;
  });
}

RecentExchanges SqliteStore::recentExchanges(const std::string& session_id, std::size_t count,
                                             EpochMs now) {
  return inTransaction(Mode::kRead, "recentExchanges", [&](Connection& db) {
    RecentExchanges recent;
    {
      auto owner = db.query("SELECT owner FROM sessions WHERE id = ?1 AND expires_ms > ?2");
      owner.bindText(1, session_id).bindInt(2, now);
      if (!owner.step()) return recent;
      recent.owner = owner.text(0);
    }
    auto rows = db.query(kSelectRecentExchanges);
    rows.bindText(1, session_id).bindInt(2, now).bindInt(3, saturatedInt64(count));
    while (rows.step()) recent.exchanges.push_back(readExchange(rows));
    std::reverse(recent.exchanges.begin(), recent.exchanges.end());
    return recent;
  });
}

bool SqliteStore::deleteSession(const std::string& id) {
  return inTransaction(Mode::kWrite, "deleteSession", [&](Connection& db) {
    db.query("DELETE FROM sessions WHERE id = ?1").bindText(1, id).run();
    return db.changes() > 0;
  });
}

std::size_t SqliteStore::purgeExpiredSessions(EpochMs now) {
  return inTransaction(Mode::kWrite, "purgeExpiredSessions", [&](Connection& db) {
    db.query("DELETE FROM sessions WHERE expires_ms <= ?1").bindInt(1, now).run();
    return static_cast<std::size_t>(db.changes());  // sessions only: cascades are not counted
  });
}

// ---- Feedback and statistics ----

FeedbackOutcome SqliteStore::recordFeedback(const Feedback& feedback) {
  return inTransaction(Mode::kWrite, "recordFeedback", [&](Connection& db) {
    FeedbackOutcome outcome;
    bool exchange_kept = false;
    {
      auto row = db.query(
          "SELECT EXISTS (SELECT 1 FROM answer_stats WHERE message_id = ?1 AND owner IN ('', ?2)), "
          "(SELECT session_id FROM exchanges WHERE message_id = ?1), "
          "EXISTS (SELECT 1 FROM feedback WHERE message_id = ?1)");
      row.bindText(1, feedback.message_id).bindText(2, feedback.rater);
      row.step();
      outcome.known_message = row.integer(0) != 0;
      exchange_kept = !row.isNull(1);
      outcome.session_id = row.text(1);
      outcome.replaced = row.integer(2) != 0;
    }
    if (!outcome.known_message) return outcome;
    db.query(
          "INSERT INTO feedback (message_id, helpful, comment, created_ms, updated_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (message_id) DO UPDATE SET "
          "helpful = excluded.helpful, comment = excluded.comment, updated_ms = "
          "excluded.updated_ms")
        .bindText(1, feedback.message_id)
        .bindInt(2, feedback.helpful ? 1 : 0)
        // The comment would outlive the conversation it is about (see sqlite_store.h).
        .bindText(3, exchange_kept ? std::string_view(feedback.comment) : std::string_view())
        .bindInt(4, feedback.created_ms)
        .run();
    return outcome;
  });
}

Stats SqliteStore::stats(std::size_t worst_limit) {
  return inTransaction(Mode::kRead, "stats", [&](Connection& db) {
    Stats stats;
    {
      auto row = db.query(
          "SELECT a.questions, a.answered, a.escalated, f.feedback, f.helpful, t.tickets, "
          "t.open_tickets "
          "FROM (SELECT COUNT(*) AS questions, COALESCE(SUM(answered), 0) AS answered, "
          "COALESCE(SUM(escalated), 0) AS escalated FROM answer_stats) a, "
          "(SELECT COUNT(*) AS feedback, COALESCE(SUM(helpful), 0) AS helpful FROM feedback) f, "
          "(SELECT COUNT(*) AS tickets, "
          "COALESCE(SUM(status IN ('open', 'in_progress')), 0) AS open_tickets FROM tickets) t");
      row.step();
      stats.questions = row.integer(0);
      stats.answered = row.integer(1);
      stats.unanswered = stats.questions - stats.answered;
      stats.escalations_suggested = row.integer(2);
      stats.feedback = row.integer(3);
      stats.helpful = row.integer(4);
      stats.not_helpful = stats.feedback - stats.helpful;
      stats.tickets = row.integer(5);
      stats.tickets_open = row.integer(6);
    }
    if (worst_limit == 0) return stats;
    // Among articles with equal "not helpful" counts, a lower helpful share is exactly fewer
    // "helpful" votes, so the order needs no division. The subject is that of the latest rated
    // answer (a bare column next to a single MAX() takes the MAX row's value in SQLite), so a
    // renamed article shows its current subject.
    auto rows = db.query(
        "SELECT a.top_article_id, a.top_subject, SUM(f.helpful) AS helpful_votes, "
        "SUM(1 - f.helpful) AS unhelpful_votes, MAX(a.created_ms) "
        "FROM feedback f JOIN answer_stats a ON a.message_id = f.message_id "
        "WHERE a.top_article_id IS NOT NULL GROUP BY a.top_article_id HAVING unhelpful_votes > 0 "
        "ORDER BY unhelpful_votes DESC, helpful_votes ASC, a.top_article_id ASC LIMIT ?1");
    rows.bindInt(1, saturatedInt64(worst_limit));
    while (rows.step()) {
      stats.worst_articles.push_back(
          {rows.text(0), rows.text(1), rows.integer(2), rows.integer(3)});
    }
    return stats;
  });
}

}  // namespace chatbot::store
