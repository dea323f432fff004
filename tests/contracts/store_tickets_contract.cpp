// Store contract, tickets: every field round-trips, idempotency keys, status changes, keyset
// paging of the ticket list, and the service desk's notes.
#include "contracts/store_contract.h"

namespace chatbot::store::contract {
namespace {

TEST_P(StoreTicketsContract, CreateTicketRoundTripsEveryField) {
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

TEST_P(StoreTicketsContract, IdempotencyKeyReturnsTheFirstTicketAndQueuesOnce) {
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

TEST_P(StoreTicketsContract, UpdateTicketStatusChangesOnlyRealChanges) {
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

TEST_P(StoreTicketsContract, ListTicketsPagesNewestFirst) {
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

NewTicketNote deskNote(const std::string& text) {
  return {"key:desk0000000", "desk", text};
}

TEST_P(StoreTicketsContract, NotesAreKeptInOrderAndMoveTheTicketsUpdatedTime) {
  EXPECT_FALSE(store().addTicketNote(42, deskNote("lost"), kT0, true));
  EXPECT_FALSE(store().nextDueTime());  // nothing queued for a ticket that does not exist
  const auto id = store().createTicket(newTicket("Mail", "key-1"), kT0, false).ticket.id;
  const auto other = store().createTicket(newTicket("Other"), kT0, false).ticket.id;

  const auto first = store().addTicketNote(id, deskNote("Called the user"), kT0 + 10, false);
  ASSERT_TRUE(first);
  EXPECT_GT(first->id, 0);
  EXPECT_EQ(first->ticket_id, id);
  EXPECT_EQ(first->author, "key:desk0000000");
  EXPECT_EQ(first->author_name, "desk");
  EXPECT_EQ(first->text, "Called the user");
  EXPECT_EQ(first->created_ms, kT0 + 10);
  const auto second =
      store().addTicketNote(id, {"oidc:sam", "", "Waiting for a new disk"}, kT0 + 20, false);
  ASSERT_TRUE(second);
  EXPECT_GT(second->id, first->id);

  const auto read = store().ticket(id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->updated_ms, kT0 + 20);
  EXPECT_EQ(read->created_ms, kT0);
  EXPECT_EQ(read->status, TicketStatus::kOpen);
  ASSERT_TRUE(read->notes);
  ASSERT_EQ(read->notes->size(), 2u);
  EXPECT_EQ((*read->notes)[0].id, first->id);
  EXPECT_EQ((*read->notes)[0].text, "Called the user");
  EXPECT_EQ((*read->notes)[0].created_ms, kT0 + 10);
  EXPECT_EQ((*read->notes)[1].author, "oidc:sam");
  EXPECT_EQ((*read->notes)[1].author_name, "");
  EXPECT_EQ((*read->notes)[1].ticket_id, id);
  // Another ticket's notes are its own; a ticket without any has an empty list.
  ASSERT_TRUE(store().ticket(other)->notes);
  EXPECT_TRUE(store().ticket(other)->notes->empty());
  EXPECT_EQ(store().ticket(other)->updated_ms, kT0);
  // The desk's status change shows them too.
  const auto resolved = store().updateTicketStatus(id, TicketStatus::kResolved, kT0 + 30, false);
  ASSERT_TRUE(resolved && resolved->notes);
  EXPECT_EQ(resolved->notes->size(), 2u);
}

// What may reach a ticket's opener never carries the notes: the create reply (also a replay of it
// by its idempotency key) and the list.
TEST_P(StoreTicketsContract, NotesAreNotLoadedWhereTheOpenerIsServed) {
  const auto id = store().createTicket(newTicket("VPN", "key-1"), kT0, false).ticket.id;
  ASSERT_TRUE(store().addTicketNote(id, deskNote("internal"), kT0 + 1, false));
  const auto replay = store().createTicket(newTicket("VPN", "key-1"), kT0 + 2, false);
  EXPECT_FALSE(replay.created);
  EXPECT_FALSE(replay.ticket.notes);
  const auto page = store().listTickets({});
  ASSERT_EQ(page.tickets.size(), 1u);
  EXPECT_FALSE(page.tickets[0].notes);
}

TEST_P(StoreTicketsContract, ANoteQueuesANoteAddedEventNamingItOnlyWithNotify) {
  const auto id = store().createTicket(newTicket("Printer"), kT0, /*notify=*/true).ticket.id;
  ASSERT_TRUE(store().addTicketNote(id, deskNote("quiet"), kT0 + 5, /*notify=*/false));
  auto events = store().dueEvents(kT0 + 100, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "ticket.created");
  EXPECT_FALSE(events[0].note_id);
  store().markDelivered(events[0].id, kT0 + 6);

  const auto note = store().addTicketNote(id, deskNote("Replaced toner"), kT0 + 10, true);
  ASSERT_TRUE(note);
  events = store().dueEvents(kT0 + 100, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "ticket.note_added");
  EXPECT_EQ(events[0].ticket_id, id);
  EXPECT_EQ(events[0].note_id, note->id);
  EXPECT_EQ(events[0].created_ms, kT0 + 10);
  const auto ticket = store().ticket(id);
  EXPECT_EQ(ticket->delivery.state, DeliveryState::kPending);
  EXPECT_EQ(ticket->delivery.next_attempt_ms, kT0 + 10);
}

}  // namespace
}  // namespace chatbot::store::contract
