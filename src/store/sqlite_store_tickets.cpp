// SqliteStore's tickets, their notes and their webhook outbox (the conversation side is in
// sqlite_store.cpp).
#include <limits>
#include <utility>

#include "store/sqlite_store.h"
#include "store/sqlite_store_detail.h"
#include "store/store_json.h"

namespace chatbot::store {

using detail::saturatedInt64;
using sqlite::Connection;
using sqlite::Query;
using Mode = sqlite::Transaction::Mode;

namespace {

// ---- Tickets ----

// A ticket with the delivery state of its latest outbox event (none: NULL columns).
#define CHATBOT_SELECT_TICKET                                                                  \
  "SELECT t.id, t.session_id, t.subject, t.description, t.category, t.priority, t.status, "    \
  "t.contact, t.transcript, t.articles_tried, t.idempotency_key, t.created_ms, t.updated_ms, " \
  "o.state, o.attempts, o.last_error, o.next_attempt_ms, o.delivered_ms, t.owner "             \
  "FROM tickets t LEFT JOIN outbox o ON o.id = (SELECT MAX(id) FROM outbox WHERE ticket_id = " \
  "t.id) "
constexpr std::string_view kSelectTicketById = CHATBOT_SELECT_TICKET "WHERE t.id = ?1";
// Keyset pages, newest first: the id bound is a range scan on the rowid, or on tickets_by_status
// or tickets_by_owner when one of them filters. ?1 id bound, ?2 limit, ?3 status, ?4 owner.
constexpr std::string_view kSelectTicketPage =
    CHATBOT_SELECT_TICKET "WHERE t.id < ?1 ORDER BY t.id DESC LIMIT ?2";
constexpr std::string_view kSelectTicketPageByStatus =
    CHATBOT_SELECT_TICKET "WHERE t.status = ?3 AND t.id < ?1 ORDER BY t.id DESC LIMIT ?2";
constexpr std::string_view kSelectTicketPageByOwner =
    CHATBOT_SELECT_TICKET "WHERE t.owner = ?4 AND t.id < ?1 ORDER BY t.id DESC LIMIT ?2";
constexpr std::string_view kSelectTicketPageByOwnerAndStatus = CHATBOT_SELECT_TICKET
    "WHERE t.owner = ?4 AND t.status = ?3 AND t.id < ?1 ORDER BY t.id DESC LIMIT ?2";
#undef CHATBOT_SELECT_TICKET

std::string_view ticketPageQuery(const TicketListQuery& query) {
  if (query.owner) {
    return query.status ? kSelectTicketPageByOwnerAndStatus : kSelectTicketPageByOwner;
  }
  return query.status ? kSelectTicketPageByStatus : kSelectTicketPage;
}

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

// Idempotency keys are the client's, so two callers may pick the same one: a key is scoped to
// the owner and the session it came with, or a replay would hand one caller another's ticket.
// Stored as "<owner>\n<session>\n<key>" (rows from before owners: the bare key).
std::string scopedIdempotencyKey(const NewTicket& ticket) {
  if (ticket.idempotency_key.empty()) return {};
  return ticket.owner + "\n" + ticket.session_id + "\n" + ticket.idempotency_key;
}

std::string clientIdempotencyKey(const std::string& stored) {
  const std::size_t last = stored.rfind('\n');
  return last == std::string::npos ? stored : stored.substr(last + 1);
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
  t.idempotency_key = clientIdempotencyKey(row.text(10));
  t.created_ms = row.integer(11);
  t.updated_ms = row.integer(12);
  t.delivery = readDelivery(row, 13);
  t.owner = row.text(18);
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

bool ticketExists(Connection& db, std::int64_t id) {
  auto row = db.query("SELECT 1 FROM tickets WHERE id = ?1");
  row.bindInt(1, id);
  return row.step();
}

// ---- Notes ----

TicketNote readNote(const Query& row) {
  TicketNote note;
  note.id = row.integer(0);
  note.ticket_id = row.integer(1);
  note.author = row.text(2);
  note.author_name = row.text(3);
  note.text = row.text(4);
  note.created_ms = row.integer(5);
  return note;
}

// Oldest first: ids grow in the order notes were added (AUTOINCREMENT never reuses one).
std::vector<TicketNote> loadNotes(Connection& db, std::int64_t ticket_id) {
  auto rows = db.query(
      "SELECT id, ticket_id, author, author_name, text, created_ms FROM ticket_notes "
      "WHERE ticket_id = ?1 ORDER BY id");
  rows.bindInt(1, ticket_id);
  std::vector<TicketNote> notes;
  while (rows.step()) notes.push_back(readNote(rows));
  return notes;
}

// A ticket for the desk: with its notes, read in the same transaction as the ticket.
std::optional<Ticket> loadTicketWithNotes(Connection& db, std::int64_t id) {
  auto ticket = loadTicket(db, id);
  if (ticket) ticket->notes = loadNotes(db, id);
  return ticket;
}

// `note_id`: for "ticket.note_added", the note the event announces.
void queueEvent(Connection& db, std::int64_t ticket_id, std::string_view event, EpochMs now,
                std::optional<std::int64_t> note_id = std::nullopt) {
  auto insert = db.query(
      "INSERT INTO outbox (ticket_id, event, state, attempts, next_attempt_ms, last_error, "
      "created_ms, note_id) VALUES (?1, ?2, 'pending', 0, ?3, '', ?3, ?4)");
  insert.bindInt(1, ticket_id).bindText(2, event).bindInt(3, now);
  if (note_id) {
    insert.bindInt(4, *note_id);
  } else {
    insert.bindNull(4);
  }
  insert.run();
}

}  // namespace

// ---- Tickets ----

CreatedTicket SqliteStore::createTicket(const NewTicket& ticket, EpochMs now, bool notify) {
  return inTransaction(Mode::kWrite, "createTicket", [&](Connection& db) {
    const std::string scoped_key = scopedIdempotencyKey(ticket);
    if (!scoped_key.empty()) {
      auto row = db.query("SELECT id FROM tickets WHERE idempotency_key = ?1");
      row.bindText(1, scoped_key);
      if (row.step()) return CreatedTicket{loadExistingTicket(db, row.integer(0)), false};
    }
    db.query(
          "INSERT INTO tickets (session_id, subject, description, category, priority, status, "
          "contact, transcript, articles_tried, idempotency_key, created_ms, updated_ms, owner) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)")
        .bindText(1, ticket.session_id)
        .bindText(2, ticket.subject)
        .bindText(3, ticket.description)
        .bindText(4, ticket.category)
        .bindText(5, toString(ticket.priority))
        .bindText(6, toString(TicketStatus::kOpen))
        .bindText(7, ticket.contact)
        .bindText(8, exchangesToJson(ticket.transcript))
        .bindText(9, sourcesToJson(ticket.articles_tried))
        .bindTextOrNull(10, scoped_key)  // NULLs never collide in a UNIQUE column
        .bindInt(11, now)
        .bindText(12, ticket.owner)
        .run();
    const std::int64_t id = db.lastInsertRowid();
    if (notify) queueEvent(db, id, "ticket.created", now);
    return CreatedTicket{loadExistingTicket(db, id), true};
  });
}

std::optional<Ticket> SqliteStore::ticket(std::int64_t id) {
  return inTransaction(Mode::kRead, "ticket",
                       [&](Connection& db) { return loadTicketWithNotes(db, id); });
}

TicketPage SqliteStore::listTickets(const TicketListQuery& query) {
  return inTransaction(Mode::kRead, "listTickets", [&](Connection& db) {
    TicketPage page;
    if (query.limit == 0) return page;
    auto rows = db.query(ticketPageQuery(query));
    // One row more than asked tells whether another page exists.
    const std::int64_t limit = saturatedInt64(query.limit);
    rows.bindInt(1, query.before_id.value_or(std::numeric_limits<std::int64_t>::max()))
        .bindInt(2, limit == std::numeric_limits<std::int64_t>::max() ? limit : limit + 1);
    if (query.status) rows.bindText(3, toString(*query.status));
    if (query.owner) rows.bindText(4, *query.owner);
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
    if (current != toString(status)) {
      db.query("UPDATE tickets SET status = ?2, updated_ms = ?3 WHERE id = ?1")
          .bindInt(1, id)
          .bindText(2, toString(status))
          .bindInt(3, now)
          .run();
      if (notify) queueEvent(db, id, "ticket.updated", now);
    }
    Ticket ticket = loadExistingTicket(db, id);
    ticket.notes = loadNotes(db, id);
    return ticket;
  };
  return inTransaction(Mode::kWrite, "updateTicketStatus", update);
}

std::optional<TicketNote> SqliteStore::addTicketNote(std::int64_t ticket_id,
                                                     const NewTicketNote& note, EpochMs now,
                                                     bool notify) {
  const auto add = [&](Connection& db) -> std::optional<TicketNote> {
    if (!ticketExists(db, ticket_id)) return std::nullopt;
    db.query(
          "INSERT INTO ticket_notes (ticket_id, author, author_name, text, created_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5)")
        .bindInt(1, ticket_id)
        .bindText(2, note.author)
        .bindText(3, note.author_name)
        .bindText(4, note.text)
        .bindInt(5, now)
        .run();
    TicketNote added;
    static_cast<NewTicketNote&>(added) = note;
    added.id = db.lastInsertRowid();
    added.ticket_id = ticket_id;
    added.created_ms = now;
    // A note is a change of the ticket: receivers that keep the newest updated_at take it.
    db.query("UPDATE tickets SET updated_ms = ?2 WHERE id = ?1")
        .bindInt(1, ticket_id)
        .bindInt(2, now)
        .run();
    if (notify) queueEvent(db, ticket_id, "ticket.note_added", now, added.id);
    return added;
  };
  return inTransaction(Mode::kWrite, "addTicketNote", add);
}

// ---- Outbox ----

std::vector<OutboxEvent> SqliteStore::dueEvents(EpochMs now, std::size_t limit) {
  return inTransaction(Mode::kRead, "dueEvents", [&](Connection& db) {
    std::vector<OutboxEvent> events;
    // Oldest first by id: a ticket's events leave in the order they were queued.
    auto rows = db.query(
        "SELECT id, ticket_id, event, attempts, created_ms, note_id FROM outbox "
        "WHERE state = 'pending' AND next_attempt_ms <= ?1 ORDER BY id LIMIT ?2");
    rows.bindInt(1, now).bindInt(2, saturatedInt64(limit));
    while (rows.step()) {
      OutboxEvent event{rows.integer(0), rows.integer(1), rows.text(2), rows.integer(3),
                        rows.integer(4)};
      if (!rows.isNull(5)) event.note_id = rows.integer(5);
      events.push_back(std::move(event));
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
