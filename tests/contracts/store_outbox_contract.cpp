// Store contract, the webhook outbox: due events, delivery, retries with back-off and giving up,
// and a ticket's delivery state following its latest event.
#include "contracts/store_contract.h"

namespace chatbot::store::contract {
namespace {

TEST_P(StoreOutboxContract, OutboxDeliversRetriesAndGivesUp) {
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

}  // namespace
}  // namespace chatbot::store::contract
