#pragma once
// Durable state of the support workflow: conversations, feedback, tickets and the webhook outbox.
// `Store` is the engine-neutral interface (SQLite today, see sqlite_store.h; a server database
// could replace it). Every method is one transaction: when it returns, the change is committed
// and survives a crash of the process; when it throws, nothing changed.
//
// Thread-safety: every method may be called from any thread concurrently. Methods block on disk
// I/O: call them from worker threads, never from an HTTP I/O thread.
//
// Text handed to the store must already be redacted (security::CredentialFilter): the store keeps
// what it is given.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::store {

// The database cannot be used (I/O error, corruption, disk full, locked past the busy timeout).
// what() is for logs, not for clients.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Milliseconds since the Unix epoch (UTC). Callers pass "now" explicitly so that expiry and
// back-off are testable and a transaction sees one clock reading.
using EpochMs = std::int64_t;

// An article given to the generator for one answer, in the order it was numbered ([1], [2], ...).
struct CitedSource {
  std::string article_id;
  std::string subject;
  std::string category;  // may be empty
  std::string url;       // may be empty
  double score = 0;
  // The KB file the article came from, shown with the sources of a chat reply. Not stored: a
  // transcript's sources have none.
  std::string path;
};

// One question and the answer to it. `message_id` identifies the answer (feedback refers to it).
struct Exchange {
  std::string message_id;  // unique, chosen by the caller (a UUID)
  std::string session_id;
  EpochMs created_ms = 0;
  std::string query;             // the user's text, redacted
  std::string standalone_query;  // what retrieval searched for (the query rewritten with the
                                 // history); may equal `query`
  std::string response;          // the answer text, redacted
  std::vector<CitedSource> sources;
  bool answered = false;          // the knowledge base answered it (else: "no answer" reply)
  std::string generator;          // "extractive" or the model that answered
  std::string escalation_reason;  // empty: no ticket was suggested
  // Who asked (an identity subject; empty: anonymous). Becomes the owner of the session when
  // this exchange creates it; an existing session keeps its owner.
  std::string owner;
};

struct SessionPolicy {
  std::size_t max_exchanges = 50;            // older exchanges of a session are dropped beyond this
  std::int64_t ttl_ms = 24LL * 3600 * 1000;  // a session expires this long after its last exchange
};

struct Session {
  std::string id;
  std::string owner;  // the identity subject that started it; empty: anonymous
  EpochMs created_ms = 0;
  EpochMs updated_ms = 0;
  EpochMs expires_ms = 0;
  std::vector<Exchange> exchanges;  // oldest first
};

struct RecentExchanges {
  std::string owner;
  std::vector<Exchange> exchanges;  // oldest first
};

struct Feedback {
  std::string message_id;
  bool helpful = false;
  std::string comment;  // redacted; may be empty
  EpochMs created_ms = 0;
  // Who rates (an identity subject; empty: anonymous). An answer given to an identity may be
  // rated by that identity only; an answer given anonymously, by whoever holds its message id.
  std::string rater;
};

// What recordFeedback found. Feedback on a message replaces earlier feedback on it (one vote per
// answer), so retries are harmless.
struct FeedbackOutcome {
  bool known_message = false;  // false (also: not the rater's answer): nothing was stored
  bool replaced = false;       // there was earlier feedback on this message
  std::string session_id;      // of the rated message
};

struct ArticleFeedback {
  std::string article_id;
  std::string subject;
  std::int64_t helpful = 0;
  std::int64_t not_helpful = 0;
};

// Aggregates over everything recorded, including exchanges of sessions that expired or were
// deleted (statistics keep article ids and flags, never text).
struct Stats {
  std::int64_t questions = 0;
  std::int64_t answered = 0;
  std::int64_t unanswered = 0;
  std::int64_t feedback = 0;
  std::int64_t helpful = 0;
  std::int64_t not_helpful = 0;
  std::int64_t escalations_suggested = 0;
  std::int64_t tickets = 0;
  std::int64_t tickets_open = 0;  // open or in_progress
  // Articles cited as source [1] of rated answers, most "not helpful" first (ties: lower helpful
  // share first, then article id); only articles with at least one "not helpful".
  std::vector<ArticleFeedback> worst_articles;
};

enum class TicketStatus { kOpen, kInProgress, kResolved, kClosed };
enum class TicketPriority { kLow, kNormal, kHigh, kUrgent };
std::string_view toString(TicketStatus status);
std::string_view toString(TicketPriority priority);
std::optional<TicketStatus> parseTicketStatus(std::string_view text);  // "open", "in_progress", ...
std::optional<TicketPriority> parseTicketPriority(std::string_view text);  // "low", "normal", ...

// Delivery of a ticket's events to TICKET_WEBHOOK_URL.
enum class DeliveryState { kNone, kPending, kDelivered, kFailed };  // kNone: no webhook configured
std::string_view toString(DeliveryState state);

struct Delivery {
  DeliveryState state = DeliveryState::kNone;
  std::int64_t attempts = 0;    // of the latest event
  std::string last_error;       // of the latest failed attempt; empty after a success
  EpochMs next_attempt_ms = 0;  // kPending only
  EpochMs delivered_ms = 0;     // kDelivered only
};

struct NewTicket {
  std::string session_id;  // may be empty (a ticket from a free-text description)
  std::string subject;
  std::string description;
  std::string category;
  TicketPriority priority = TicketPriority::kNormal;
  std::string contact;               // may be empty
  std::string owner;                 // the identity subject that opened it; empty: anonymous
  std::vector<Exchange> transcript;  // copied: the ticket outlives its session
  std::vector<CitedSource> articles_tried;
  // Optional client key: a second create with the same key, owner and session returns the first
  // ticket unchanged.
  std::string idempotency_key;
};

// A note the service desk adds to a ticket: internal, for agents and admins only (never shown to
// the ticket's opener).
struct NewTicketNote {
  std::string author;       // the identity subject of the agent or admin who wrote it
  std::string author_name;  // their display name at the time (may be empty)
  std::string text;         // redacted; not empty
};

struct TicketNote : NewTicketNote {
  std::int64_t id = 0;  // 1, 2, 3, ... across all tickets, in the order notes were added
  std::int64_t ticket_id = 0;
  EpochMs created_ms = 0;
};

struct Ticket : NewTicket {
  std::int64_t id = 0;  // 1, 2, 3, ... (shown to users as "IT-<id>")
  TicketStatus status = TicketStatus::kOpen;
  EpochMs created_ms = 0;
  EpochMs updated_ms = 0;
  Delivery delivery;
  // The desk's notes, oldest first. Loaded by ticket() and updateTicketStatus() (both for the
  // desk); nullopt where they were not loaded (createTicket, listTickets) or are withheld from
  // the caller, so that a ticket shown to its opener cannot carry them by accident.
  std::optional<std::vector<TicketNote>> notes;
};

struct TicketPage {
  std::vector<Ticket> tickets;                 // newest first
  std::optional<std::int64_t> next_before_id;  // pass as `before_id` for the next page
};

struct TicketListQuery {
  std::optional<TicketStatus> status;
  std::optional<std::int64_t> before_id;  // only tickets with a smaller id (keyset paging)
  std::size_t limit = 20;
  std::optional<std::string> owner;  // only this owner's tickets
};

struct CreatedTicket {
  Ticket ticket;
  bool created = true;  // false: an earlier ticket with the same idempotency key was returned
};

// An event waiting in the outbox. Its payload is built at delivery time from the ticket's current
// state, so a late delivery never sends stale data.
struct OutboxEvent {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  std::string event;  // "ticket.created", "ticket.updated" or "ticket.note_added"
  std::int64_t attempts = 0;
  EpochMs created_ms = 0;
  std::optional<std::int64_t> note_id;  // "ticket.note_added": the note it announces
};

class Store {
 public:
  virtual ~Store() = default;

  // Conversations.
  // Appends an exchange, creating its session when absent (or expired: it starts afresh), drops
  // the oldest exchanges beyond the policy, and moves the session's expiry.
  virtual void appendExchange(const Exchange& exchange, const SessionPolicy& policy) = 0;
  // The same for several exchanges in one transaction (all or none): one commit, and so one
  // fsync, for many concurrent answers (support::ExchangeWriter's group commit).
  virtual void appendExchanges(const std::vector<Exchange>& exchanges,
                               const SessionPolicy& policy) = 0;
  // The session, unless it does not exist or has expired at `now`.
  virtual std::optional<Session> session(const std::string& id, EpochMs now) = 0;
  // The last `count` exchanges of a live session, oldest first, and its owner (no exchanges and
  // no owner when there is no such live session).
  virtual RecentExchanges recentExchanges(const std::string& session_id, std::size_t count,
                                          EpochMs now) = 0;
  // Deletes the session and its exchanges (statistics stay). False when it did not exist.
  virtual bool deleteSession(const std::string& id) = 0;
  // Deletes sessions expired at `now`; returns how many.
  virtual std::size_t purgeExpiredSessions(EpochMs now) = 0;

  // Feedback and statistics.
  virtual FeedbackOutcome recordFeedback(const Feedback& feedback) = 0;
  virtual Stats stats(std::size_t worst_limit) = 0;

  // Tickets. With `notify`, the same transaction queues a "ticket.created" / "ticket.updated" /
  // "ticket.note_added" outbox event (the ticket's delivery becomes kPending).
  virtual CreatedTicket createTicket(const NewTicket& ticket, EpochMs now, bool notify) = 0;
  virtual std::optional<Ticket> ticket(std::int64_t id) = 0;
  virtual TicketPage listTickets(const TicketListQuery& query) = 0;
  // nullopt when the ticket does not exist. Setting the current status again changes nothing
  // and queues nothing.
  virtual std::optional<Ticket> updateTicketStatus(std::int64_t id, TicketStatus status,
                                                   EpochMs now, bool notify) = 0;
  // Adds a note to ticket `ticket_id` and moves the ticket's updated time to `now`; nullopt (and
  // nothing changed) when the ticket does not exist. Every call adds a note: a retried request
  // adds it twice.
  virtual std::optional<TicketNote> addTicketNote(std::int64_t ticket_id, const NewTicketNote& note,
                                                  EpochMs now, bool notify) = 0;

  // Outbox (one delivery worker at a time).
  // Pending events due at `now`, oldest first.
  virtual std::vector<OutboxEvent> dueEvents(EpochMs now, std::size_t limit) = 0;
  // The earliest next attempt of any pending event, if any.
  virtual std::optional<EpochMs> nextDueTime() = 0;
  virtual void markDelivered(std::int64_t event_id, EpochMs now) = 0;
  // Records a failed attempt; the event is retried at `retry_at`, or given up when nullopt.
  virtual void markAttemptFailed(std::int64_t event_id, const std::string& error,
                                 std::optional<EpochMs> retry_at) = 0;
};

}  // namespace chatbot::store
