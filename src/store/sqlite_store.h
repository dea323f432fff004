#pragma once
// Store and AccessStore on one SQLite database file (system libsqlite3).
//
// Durability: WAL journal with synchronous=FULL, so a method that returned has its change on disk
// and survives a power loss, not only a crash of the process. Foreign keys are enforced.
//
// Thread-safety: two connections to the file, each under its own mutex. Writers share one and
// run one at a time (BEGIN IMMEDIATE). Readers (session, recentExchanges, stats, ticket,
// listTickets, dueEvents, nextDueTime) share the other, opened query_only: WAL lets them read the
// last committed state while a write and its fsync are in progress, so a chat request reading
// history never waits for another request's commit. A read sees every write that returned before
// it began. Other processes may open the same file (the CLI, say): the busy timeout makes them
// wait for each other's writes.
//
// Choices the interface leaves open:
// - Feedback on an answer whose exchange has left the store (trimmed, session deleted or expired)
//   still counts: the vote is recorded, FeedbackOutcome::session_id is empty, and the comment is
//   dropped. A feedback comment never outlives the rated exchange: it is cleared when the exchange
//   is trimmed or its session deleted or purged, like the exchange's own text (the vote stays).
// - markDelivered and markAttemptFailed ignore events that are not pending (unknown, delivered,
//   given up): a repeated report cannot move an event backwards.
// - SessionPolicy::max_exchanges == 0 keeps no exchanges (statistics are still recorded).
// - A TicketListQuery with limit 0 returns an empty page.
#include <filesystem>
#include <memory>

#include "store/access_store.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "util/mutex.h"

namespace chatbot::store {

class SqliteStore final : public Store, public AccessStore {
 public:
  // Opens the database at `path`, creating it and its parent folders when missing, and migrates
  // it to the current schema. Throws StoreError naming the path, SQLite's error and a remedy when
  // it cannot (unwritable folder, not a database, a schema newer than this build, ...).
  explicit SqliteStore(const std::filesystem::path& path);

  const std::filesystem::path& path() const noexcept { return path_; }

  void appendExchange(const Exchange& exchange, const SessionPolicy& policy) override;
  void appendExchanges(const std::vector<Exchange>& exchanges,
                       const SessionPolicy& policy) override;
  std::optional<Session> session(const std::string& id, EpochMs now) override;
  RecentExchanges recentExchanges(const std::string& session_id, std::size_t count,
                                  EpochMs now) override;
  bool deleteSession(const std::string& id) override;
  std::size_t purgeExpiredSessions(EpochMs now) override;

  FeedbackOutcome recordFeedback(const Feedback& feedback) override;
  Stats stats(std::size_t worst_limit) override;

  CreatedTicket createTicket(const NewTicket& ticket, EpochMs now, bool notify) override;
  std::optional<Ticket> ticket(std::int64_t id) override;
  TicketPage listTickets(const TicketListQuery& query) override;
  std::optional<Ticket> updateTicketStatus(std::int64_t id, TicketStatus status, EpochMs now,
                                           bool notify) override;
  std::optional<TicketNote> addTicketNote(std::int64_t ticket_id, const NewTicketNote& note,
                                          EpochMs now, bool notify) override;

  std::vector<OutboxEvent> dueEvents(EpochMs now, std::size_t limit) override;
  std::optional<EpochMs> nextDueTime() override;
  void markDelivered(std::int64_t event_id, EpochMs now) override;
  void markAttemptFailed(std::int64_t event_id, const std::string& error,
                         std::optional<EpochMs> retry_at) override;

  // AccessStore (sqlite_store_access.cpp).
  KeyCreation createApiKey(const NewApiKey& key) override;
  std::vector<ApiKeyRecord> apiKeys() override;
  std::optional<ApiKeyRecord> revokeApiKey(const std::string& id_or_name, EpochMs now) override;
  void recordKeyUse(const std::vector<std::pair<std::string, EpochMs>>& uses) override;
  std::string serverSecret(const std::string& name, const std::string& candidate) override;
  void appendAudit(const std::vector<AuditEntry>& entries) override;
  AuditPage audit(const AuditQuery& query) override;

 private:
  // Runs `body(connection)` as one transaction on the writer (kWrite) or reader (kRead)
  // connection and returns its result. Any failure rolls back and surfaces as a StoreError whose
  // message names the database and `method`. Not analysed: it locks the mutex that guards the
  // connection it picks, both chosen by `mode` at run time, which the analysis cannot follow.
  template <typename Body>
  auto inTransaction(sqlite::Transaction::Mode mode, const char* method,
                     Body&& body) NO_THREAD_SAFETY_ANALYSIS;
  // appendExchange's statements, inside the caller's write transaction.
  static void appendExchangeIn(sqlite::Connection& db, const Exchange& exchange,
                               const SessionPolicy& policy);

  std::filesystem::path path_;
  // The pointers are set by the constructor only; the connections are used under their mutex.
  util::Mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_ PT_GUARDED_BY(write_mutex_);  // never null
  util::Mutex read_mutex_;
  std::unique_ptr<sqlite::Connection> reader_ PT_GUARDED_BY(read_mutex_);  // never null
};

}  // namespace chatbot::store
