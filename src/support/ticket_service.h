#pragma once
// Escalation to the service desk: a ticket is built from the conversation (transcript, articles
// tried, category from retrieval) and committed together with its webhook event (the outbox);
// the outbox worker is woken after each committed change. Synchronous: callers run it off the
// HTTP threads (the API offloads it to the SupportService's threads).
//
// Thread-safety: immutable; every method may be called from any thread concurrently.
// Ownership: shares the store; `wake_outbox` must stay callable while this service exists.
#include <functional>
#include <memory>

#include "auth/identity.h"
#include "auth/ticket_access.h"
#include "rag/chat_service.h"
#include "store/store.h"
#include "support/ticket_builder.h"
#include "util/error.h"

namespace chatbot::support {

struct TicketServiceOptions {
  bool notify = false;                // a webhook is configured: every change queues an event
  std::function<void()> wake_outbox;  // may be empty
  // Access tokens of anonymous tickets; never null.
  std::shared_ptr<const auth::TicketTokens> tokens;
};

// A ticket just opened (or found again by its idempotency key).
struct OpenedTicket {
  store::CreatedTicket created;
  // For an anonymous opener: the token that shows the ticket again (X-Ticket-Token). Empty for
  // an identity, which sees its tickets by being itself.
  std::string access_token;
};

class TicketService {
 public:
  TicketService(std::shared_ptr<store::Store> store, TicketServiceOptions options);

  // Opens a ticket owned by `caller`, from a conversation `caller` may see (or a description).
  // `retrieval` (null while the KB is being indexed) finds the category of a description.
  Result<OpenedTicket> create(const TicketDraft& draft, const rag::ChatService* retrieval,
                              const auth::Identity& caller) const;
  // The ticket, when `caller` may see it (auth::maySeeTicket; `token`: X-Ticket-Token, may be
  // empty); otherwise "not found". Its notes (Ticket::notes) only for the service desk: for
  // anyone else they are nullopt.
  Result<store::Ticket> ticket(std::int64_t id, const auth::Identity& caller,
                               std::string_view token) const;
  // Every ticket for the service desk; an employee's own otherwise.
  Result<store::TicketPage> list(store::TicketListQuery query, const auth::Identity& caller) const;
  // For the service desk (the route checks the role).
  Result<store::Ticket> updateStatus(std::int64_t id, store::TicketStatus status) const;
  // Adds an internal note by `caller` (its subject and display name are the author) to ticket
  // `id`; `text` is already validated and redacted. The service desk only: another caller is
  // refused (forbidden) even where a route forgot to check the role.
  Result<store::TicketNote> addNote(std::int64_t id, std::string text,
                                    const auth::Identity& caller) const;

 private:
  Result<std::vector<store::Exchange>> transcript(const std::string& session_id,
                                                  const auth::Identity& caller) const;

  const std::shared_ptr<store::Store> store_;
  const TicketServiceOptions options_;
};

// The 404 for a ticket number that names none.
Error ticketNotFound(std::int64_t id);

}  // namespace chatbot::support
