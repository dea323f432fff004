#include "support/ticket_service.h"

#include "support/store_call.h"
#include "tickets/ticket_json.h"
#include "util/time.h"

namespace chatbot::support {

namespace {

// What retrieval finds for a free-text description: its category goes on the ticket.
std::vector<store::CitedSource> descriptionMatches(const std::string& description,
                                                   const rag::ChatService* retrieval) {
  std::vector<store::CitedSource> matches;
  if (retrieval == nullptr || description.empty()) return matches;
  for (const auto& hit : retrieval->retriever().search(description, 3)) {
    const kb::Article& a = retrieval->index().articles().at(hit.article);
    matches.push_back({a.id, a.subject, a.category, a.url, hit.score});
  }
  return matches;
}

}  // namespace

Error ticketNotFound(std::int64_t id) {
  return Error::notFound("ticket_not_found", "No ticket " + tickets::displayId(id) + ".");
}

TicketService::TicketService(std::shared_ptr<store::Store> store, TicketServiceOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}

Result<std::vector<store::Exchange>> TicketService::transcript(const std::string& session_id,
                                                               const auth::Identity& caller) const {
  if (session_id.empty()) return std::vector<store::Exchange>{};
  auto session = store_->session(session_id, util::epochMsNow());
  if (!session || !auth::maySeeConversation(caller, session->owner)) {
    return Error::notFound("session_not_found",
                           "No conversation " + session_id +
                               ": it expired or was deleted. Describe the problem in "
                               "'description' instead.");
  }
  return std::move(session->exchanges);
}

Result<OpenedTicket> TicketService::create(const TicketDraft& draft,
                                           const rag::ChatService* retrieval,
                                           const auth::Identity& caller) const {
  return storeCall("create_ticket", [&]() -> Result<OpenedTicket> {
    auto exchanges = transcript(draft.session_id, caller);
    if (!exchanges) return std::move(exchanges).error();
    const auto matches = descriptionMatches(draft.description, retrieval);
    store::NewTicket ticket = buildTicket(draft, exchanges.value(), matches);
    ticket.owner = caller.subject;
    OpenedTicket opened{store_->createTicket(ticket, util::epochMsNow(), options_.notify), {}};
    if (opened.created.created && options_.notify && options_.wake_outbox) {
      options_.wake_outbox();
    }
    if (!caller.authenticated()) {
      opened.access_token = options_.tokens->tokenFor(opened.created.ticket.id);
    }
    return opened;
  });
}

Result<store::Ticket> TicketService::ticket(std::int64_t id, const auth::Identity& caller,
                                            std::string_view token) const {
  return storeCall("ticket", [&]() -> Result<store::Ticket> {
    auto ticket = store_->ticket(id);
    if (!ticket || !auth::maySeeTicket(caller, ticket->owner, id, token, *options_.tokens)) {
      return ticketNotFound(id);
    }
    // The desk's notes are internal: an opener sees the ticket without them.
    if (!caller.atLeast(auth::Role::kAgent)) ticket->notes.reset();
    return std::move(*ticket);
  });
}

Result<store::TicketPage> TicketService::list(store::TicketListQuery query,
                                              const auth::Identity& caller) const {
  // Without an identity there is no "own" to list (an anonymous owner is everyone's).
  if (!caller.authenticated()) {
    return Error{ErrorKind::kUnauthenticated, "authentication_required",
                 "Listing tickets needs an identity: send an API key or token. A ticket opened "
                 "anonymously is shown with its X-Ticket-Token."};
  }
  if (!caller.atLeast(auth::Role::kAgent)) query.owner = caller.subject;
  return storeCall("list_tickets",
                   [&]() -> Result<store::TicketPage> { return store_->listTickets(query); });
}

Result<store::Ticket> TicketService::updateStatus(std::int64_t id,
                                                  store::TicketStatus status) const {
  return storeCall("update_ticket", [&]() -> Result<store::Ticket> {
    auto ticket = store_->updateTicketStatus(id, status, util::epochMsNow(), options_.notify);
    if (!ticket) return ticketNotFound(id);
    // Nothing was queued when the status did not change: the wake is then a no-op.
    if (options_.notify && options_.wake_outbox) options_.wake_outbox();
    return std::move(*ticket);
  });
}

Result<store::TicketNote> TicketService::addNote(std::int64_t id, std::string text,
                                                 const auth::Identity& caller) const {
  if (!caller.atLeast(auth::Role::kAgent)) {
    return Error{ErrorKind::kForbidden, "forbidden",
                 "Notes on tickets are for the service desk: this needs the agent role."};
  }
  return storeCall("add_ticket_note", [&]() -> Result<store::TicketNote> {
    const store::NewTicketNote note{caller.subject, caller.display_name, std::move(text)};
    auto added = store_->addTicketNote(id, note, util::epochMsNow(), options_.notify);
    if (!added) return ticketNotFound(id);
    if (options_.notify && options_.wake_outbox) options_.wake_outbox();
    return std::move(*added);
  });
}

}  // namespace chatbot::support
