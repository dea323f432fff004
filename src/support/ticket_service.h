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

#include "rag/chat_service.h"
#include "store/store.h"
#include "support/ticket_builder.h"
#include "util/error.h"

namespace chatbot::support {

struct TicketServiceOptions {
  bool notify = false;                // a webhook is configured: every change queues an event
  std::function<void()> wake_outbox;  // may be empty
};

class TicketService {
 public:
  TicketService(std::shared_ptr<store::Store> store, TicketServiceOptions options);

  // `retrieval` (null while the KB is being indexed) finds the category of a description.
  Result<store::CreatedTicket> create(const TicketDraft& draft,
                                      const rag::ChatService* retrieval) const;
  Result<store::Ticket> ticket(std::int64_t id) const;
  Result<store::TicketPage> list(const store::TicketListQuery& query) const;
  Result<store::Ticket> updateStatus(std::int64_t id, store::TicketStatus status) const;

 private:
  Result<std::vector<store::Exchange>> transcript(const std::string& session_id) const;

  const std::shared_ptr<store::Store> store_;
  const TicketServiceOptions options_;
};

// The 404 for a ticket number that names none.
Error ticketNotFound(std::int64_t id);

}  // namespace chatbot::support
