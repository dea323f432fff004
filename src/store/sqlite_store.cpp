#include "store/sqlite_store.h"

#include <algorithm>
#include <limits>
#include <system_error>
#include <type_traits>
#include <utility>

#include "store/migrations.h"
#include "store/store_json.h"

namespace chatbot::store {

namespace fs = std::filesystem;
using sqlite::Connection;
using sqlite::Query;
using Mode = sqlite::Transaction::Mode;

namespace {

// How long a write waits for another process's write (the CLI, say) before failing.
constexpr int kBusyTimeoutMs = 5000;

// ---- Conversions ----

std::int64_t saturatedInt64(std::size_t value) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(value, kMax));
}

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

// ---- Tickets ----

// A ticket with the delivery state of its latest outbox event (none: NULL columns).
#define CHATBOT_SELECT_TICKET                                                                  \
  "SELECT t.id, t.session_id, t.subject, t.description, t.category, t.priority, t.status, "    \
  "t.contact, t.transcript, t.articles_tried, t.idempotency_key, t.created_ms, t.updated_ms, " \
  "o.state, o.attempts, o.last_error, o.next_attempt_ms, o.delivered_ms "                      \
  "FROM tickets t LEFT JOIN outbox o ON o.id = (SELECT MAX(id) FROM outbox WHERE ticket_id = " \
  "t.id) "
constexpr std::string_view kSelectTicketById = CHATBOT_SELECT_TICKET "WHERE t.id = ?1";
// Keyset pages, newest first: the id bound is a range scan on the rowid or on tickets_by_status.
constexpr std::string_view kSelectTicketPage =
    CHATBOT_SELECT_TICKET "WHERE t.id < ?1 ORDER BY t.id DESC LIMIT ?2";
constexpr std::string_view kSelectTicketPageByStatus =
    CHATBOT_SELECT_TICKET "WHERE t.status = ?3 AND t.id < ?1 ORDER BY t.id DESC LIMIT ?2";
#undef CHATBOT_SELECT_TICKET

Delivery readDelivery(const Query& row, int first_column) {
  Delivery d;
  if (row.isNull(first_column)) return d;  // no event was ever queued
  const std::string state = row.text(first_column);
  d.attempts = row.integer(first_column + 1);
  d.last_error = row.text(first_column + 2);
  if (state == "pending") {
    d.state = DeliveryState::kPending;
    d.next_attempt_ms = row.integer(first_column + 3);
  } else if (state == "delivered") {
    d.state = DeliveryState::kDelivered;
    d.delivered_ms = row.integer(first_column + 4);
  } else if (state == "failed") {
    d.state = DeliveryState::kFailed;
  } else {
    throw StoreError("an outbox event has the unknown state '" + state + "'");
  }
  return d;
}

Ticket readTicket(const Query& row) {
  Ticket t;
  t.id = row.integer(0);
  t.session_id = row.text(1);
  t.subject = row.text(2);
  t.description = row.text(3);
  t.category = row.text(4);
  const auto priority = parseTicketPriority(row.text(5));
  const auto status = parseTicketStatus(row.text(6));
  if (!priority || !status) {
    throw StoreError("ticket " + std::to_string(t.id) + " has the unknown priority or status '" +
                     row.text(5) + "', '" + row.text(6) + "'");
  }
  t.priority = *priority;
  t.status = *status;
  t.contact = row.text(7);
  t.transcript = exchangesFromJson(row.text(8));
  t.articles_tried = sourcesFromJson(row.text(9));
  t.idempotency_key = row.text(10);
  t.created_ms = row.integer(11);
  t.updated_ms = row.integer(12);
  t.delivery = readDelivery(row, 13);
  return t;
}

std::optional<Ticket> loadTicket(Connection& db, std::int64_t id) {
  auto row = db.query(kSelectTicketById);
  row.bindInt(1, id);
  if (!row.step()) return std::nullopt;
  return readTicket(row);
}

// Loads a ticket the current transaction has just found or written.
Ticket loadExistingTicket(Connection& db, std::int64_t id) {
  auto ticket = loadTicket(db, id);
  if (!ticket) {
    throw StoreError("ticket " + std::to_string(id) + " vanished inside its transaction");
  }
  return std::move(*ticket);
}

void queueEvent(Connection& db, std::int64_t ticket_id, std::string_view event, EpochMs now) {
  db.query(
        "INSERT INTO outbox (ticket_id, event, state, attempts, next_attempt_ms, last_error, "
        "created_ms) VALUES (?1, ?2, 'pending', 0, ?3, '', ?3)")
      .bindInt(1, ticket_id)
      .bindText(2, event)
      .bindInt(3, now)
      .run();
}

}  // namespace

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

template <typename Body>
auto SqliteStore::inTransaction(Mode mode, const char* method, Body&& body) {
  const bool writes = mode == Mode::kWrite;
  const util::MutexLock lock(writes ? write_mutex_ : read_mutex_);
  Connection& connection = writes ? *writer_ : *reader_;
  const auto failure = [&](std::string_view problem) {
    return StoreError("store database " + path_.string() + ": " + method + ": " +
                      std::string(problem));
  };
  try {
    sqlite::Transaction transaction(connection, mode);
    if constexpr (std::is_void_v<std::invoke_result_t<Body, Connection&>>) {
      body(connection);
      transaction.commit();
    } else {
      auto result = body(connection);
      transaction.commit();
      return result;
    }
  } catch (const StoreError& e) {
    throw failure(e.what());
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
  {
    const EpochMs now = exchange.created_ms;
    const EpochMs expires = saturatedSum(now, policy.ttl_ms);
    std::optional<EpochMs> live_until;
    {
      auto row = db.query("SELECT expires_ms FROM sessions WHERE id = ?1");
      row.bindText(1, exchange.session_id);
      if (row.step()) live_until = row.integer(0);
    }
    if (live_until && *live_until <= now) {
      // Expired but not yet purged: the conversation starts afresh (its exchanges cascade).
      db.query("DELETE FROM sessions WHERE id = ?1").bindText(1, exchange.session_id).run();
      live_until.reset();
    }
    if (live_until) {
      // MAX: appends racing in from several requests must not move the expiry backwards.
      db.query(
            "UPDATE sessions SET updated_ms = MAX(updated_ms, ?2), expires_ms = MAX(expires_ms, "
            "?3) "
            "WHERE id = ?1")
          .bindText(1, exchange.session_id)
          .bindInt(2, now)
          .bindInt(3, expires)
          .run();
    } else {
      db.query(
            "INSERT INTO sessions (id, created_ms, updated_ms, expires_ms) VALUES (?1, ?2, ?2, ?3)")
          .bindText(1, exchange.session_id)
          .bindInt(2, now)
          .bindInt(3, expires)
          .run();
    }
    // A duplicate message_id fails here (or on answer_stats, once its exchange is gone) and the
    // whole append rolls back.
    std::int64_t seq = 0;
    {
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
      seq = insert.integer(0);
    }
    {
      auto insert = db.query(
          "INSERT INTO answer_stats (message_id, created_ms, answered, escalated, top_article_id, "
          "top_subject) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
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
    // Keeps the newest max_exchanges. Sequence numbers grow by one per exchange and only the
    // oldest are ever removed (a whole session goes at once), so those are seq - max and below;
    // a session that has not grown past the limit (almost every append) needs no statement.
    const std::int64_t keep = saturatedInt64(policy.max_exchanges);
    if (seq > keep) {
      db.query("DELETE FROM exchanges WHERE session_id = ?1 AND seq <= ?2")
          .bindText(1, exchange.session_id)
          .bindInt(2, seq - keep)
          .run();
    }
  }
}

std::optional<Session> SqliteStore::session(const std::string& id, EpochMs now) {
  return inTransaction(Mode::kRead, "session", [&](Connection& db) -> std::optional<Session> {
    Session session;
    {
      auto row = db.query(
          "SELECT created_ms, updated_ms, expires_ms FROM sessions WHERE id = ?1 AND "
          "expires_ms > ?2");
      row.bindText(1, id).bindInt(2, now);
      if (!row.step()) return std::nullopt;
      session.id = id;
      session.created_ms = row.integer(0);
      session.updated_ms = row.integer(1);
      session.expires_ms = row.integer(2);
    }
    auto rows = db.query(kSelectSessionExchanges);
    rows.bindText(1, id);
    while (rows.step()) session.exchanges.push_back(readExchange(rows));
    return session;
  });
}

std::vector<Exchange> SqliteStore::recentExchanges(const std::string& session_id, std::size_t count,
                                                   EpochMs now) {
  return inTransaction(Mode::kRead, "recentExchanges", [&](Connection& db) {
    std::vector<Exchange> exchanges;
    auto rows = db.query(kSelectRecentExchanges);
    rows.bindText(1, session_id).bindInt(2, now).bindInt(3, saturatedInt64(count));
    while (rows.step()) exchanges.push_back(readExchange(rows));
    std::reverse(exchanges.begin(), exchanges.end());
    return exchanges;
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
          "SELECT EXISTS (SELECT 1 FROM answer_stats WHERE message_id = ?1), "
          "(SELECT session_id FROM exchanges WHERE message_id = ?1), "
          "EXISTS (SELECT 1 FROM feedback WHERE message_id = ?1)");
      row.bindText(1, feedback.message_id);
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

// ---- Tickets ----

CreatedTicket SqliteStore::createTicket(const NewTicket& ticket, EpochMs now, bool notify) {
  return inTransaction(Mode::kWrite, "createTicket", [&](Connection& db) {
    if (!ticket.idempotency_key.empty()) {
      auto row = db.query("SELECT id FROM tickets WHERE idempotency_key = ?1");
      row.bindText(1, ticket.idempotency_key);
      if (row.step()) return CreatedTicket{loadExistingTicket(db, row.integer(0)), false};
    }
    db.query(
          "INSERT INTO tickets (session_id, subject, description, category, priority, status, "
          "contact, transcript, articles_tried, idempotency_key, created_ms, updated_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)")
        .bindText(1, ticket.session_id)
        .bindText(2, ticket.subject)
        .bindText(3, ticket.description)
        .bindText(4, ticket.category)
        .bindText(5, toString(ticket.priority))
        .bindText(6, toString(TicketStatus::kOpen))
        .bindText(7, ticket.contact)
        .bindText(8, exchangesToJson(ticket.transcript))
        .bindText(9, sourcesToJson(ticket.articles_tried))
        .bindTextOrNull(10, ticket.idempotency_key)  // NULLs never collide in a UNIQUE column
        .bindInt(11, now)
        .run();
    const std::int64_t id = db.lastInsertRowid();
    if (notify) queueEvent(db, id, "ticket.created", now);
    return CreatedTicket{loadExistingTicket(db, id), true};
  });
}

std::optional<Ticket> SqliteStore::ticket(std::int64_t id) {
  return inTransaction(Mode::kRead, "ticket", [&](Connection& db) { return loadTicket(db, id); });
}

TicketPage SqliteStore::listTickets(const TicketListQuery& query) {
  return inTransaction(Mode::kRead, "listTickets", [&](Connection& db) {
    TicketPage page;
    if (query.limit == 0) return page;
    auto rows = db.query(query.status ? kSelectTicketPageByStatus : kSelectTicketPage);
    // One row more than asked tells whether another page exists.
    const std::int64_t limit = saturatedInt64(query.limit);
    rows.bindInt(1, query.before_id.value_or(std::numeric_limits<std::int64_t>::max()))
        .bindInt(2, limit == std::numeric_limits<std::int64_t>::max() ? limit : limit + 1);
    if (query.status) rows.bindText(3, toString(*query.status));
    while (rows.step()) {
      if (page.tickets.size() == query.limit) {
        page.next_before_id = page.tickets.back().id;
        break;
      }
      page.tickets.push_back(readTicket(rows));
    }
    return page;
  });
}

std::optional<Ticket> SqliteStore::updateTicketStatus(std::int64_t id, TicketStatus status,
                                                      EpochMs now, bool notify) {
  const auto update = [&](Connection& db) -> std::optional<Ticket> {
    std::string current;
    {
      auto row = db.query("SELECT status FROM tickets WHERE id = ?1");
      row.bindInt(1, id);
      if (!row.step()) return std::nullopt;
      current = row.text(0);
    }
    if (current == toString(status)) return loadExistingTicket(db, id);
    db.query("UPDATE tickets SET status = ?2, updated_ms = ?3 WHERE id = ?1")
        .bindInt(1, id)
        .bindText(2, toString(status))
        .bindInt(3, now)
        .run();
    if (notify) queueEvent(db, id, "ticket.updated", now);
    return loadExistingTicket(db, id);
  };
  return inTransaction(Mode::kWrite, "updateTicketStatus", update);
}

// ---- Outbox ----

std::vector<OutboxEvent> SqliteStore::dueEvents(EpochMs now, std::size_t limit) {
  return inTransaction(Mode::kRead, "dueEvents", [&](Connection& db) {
    std::vector<OutboxEvent> events;
    // Oldest first by id: a ticket's events leave in the order they were queued.
    auto rows = db.query(
        "SELECT id, ticket_id, event, attempts, created_ms FROM outbox "
        "WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY id LIMIT ?2");
    rows.bindInt(1, now).bindInt(2, saturatedInt64(limit));
    while (rows.step()) {
      events.push_back(
          {rows.integer(0), rows.integer(1), rows.text(2), rows.integer(3), rows.integer(4)});
    }
    return events;
  });
}

std::optional<EpochMs> SqliteStore::nextDueTime() {
  return inTransaction(Mode::kRead, "nextDueTime", [&](Connection& db) -> std::optional<EpochMs> {
    auto row = db.query("SELECT MIN(next_attempt_ms) FROM outbox WHERE state = 'pending'");
    row.step();
    if (row.isNull(0)) return std::nullopt;
    return row.integer(0);
  });
}

void SqliteStore::markDelivered(std::int64_t event_id, EpochMs now) {
  inTransaction(Mode::kWrite, "markDelivered", [&](Connection& db) {
    db.query(
          "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_ms = ?2, "
          "last_error = '' WHERE id = ?1 AND state = 'pending'")
        .bindInt(1, event_id)
        .bindInt(2, now)
        .run();
  });
}

void SqliteStore::markAttemptFailed(std::int64_t event_id, const std::string& error,
                                    std::optional<EpochMs> retry_at) {
  inTransaction(Mode::kWrite, "markAttemptFailed", [&](Connection& db) {
    if (retry_at) {
      db.query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_ms = ?3 "
            "WHERE id = ?1 AND state = 'pending'")
          .bindInt(1, event_id)
          .bindText(2, error)
          .bindInt(3, *retry_at)
          .run();
    } else {
      db.query(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2 "
            "WHERE id = ?1 AND state = 'pending'")
          .bindInt(1, event_id)
          .bindText(2, error)
          .run();
    }
  });
}

}  // namespace chatbot::store
