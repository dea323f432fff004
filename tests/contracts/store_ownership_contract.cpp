// Store contract, ownership: who started a conversation, who may rate an answer, whose tickets a
// list shows, and idempotency keys scoped to their owner.
#include "contracts/store_contract.h"

namespace chatbot::store::contract {
namespace {

Exchange exchangeBy(const std::string& owner, const std::string& session_id,
                    const std::string& message_id, EpochMs at) {
  Exchange e = exchange(session_id, message_id, at, {source("kb-1")});
  e.owner = owner;
  return e;
}

TEST_P(StoreSessionsContract, TheOwnerIsWhoeverStartedTheSessionAndStays) {
  store().appendExchange(exchangeBy("key:alice", "s1", "m1", kT0), {});
  store().appendExchange(exchangeBy("key:bob", "s1", "m2", kT0 + 1), {});
  const auto session = store().session("s1", kT0 + 2);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->owner, "key:alice");
  const auto recent = store().recentExchanges("s1", 5, kT0 + 2);
  EXPECT_EQ(recent.owner, "key:alice");
  EXPECT_EQ(recent.exchanges.size(), 2u);
  store().appendExchange(exchangeBy("", "anon", "m3", kT0), {});
  EXPECT_EQ(store().session("anon", kT0 + 2)->owner, "");
  EXPECT_EQ(store().recentExchanges("nobody", 5, kT0).owner, "");
}

TEST_P(StoreFeedbackContract, AnAnswerToAnIdentityIsRatedByThatIdentityOnly) {
  store().appendExchange(exchangeBy("key:alice", "s1", "m1", kT0), {});
  store().appendExchange(exchangeBy("", "s2", "m2", kT0), {});
  Feedback by_bob = vote("m1", true, kT0 + 1);
  by_bob.rater = "key:bob";
  EXPECT_FALSE(store().recordFeedback(by_bob).known_message);
  Feedback anonymous = vote("m1", true, kT0 + 1);
  EXPECT_FALSE(store().recordFeedback(anonymous).known_message);
  Feedback by_alice = vote("m1", false, kT0 + 2);
  by_alice.rater = "key:alice";
  EXPECT_TRUE(store().recordFeedback(by_alice).known_message);
  EXPECT_EQ(store().stats(5).feedback, 1);
  // An anonymous answer: whoever holds its message id.
  by_bob.message_id = "m2";
  EXPECT_TRUE(store().recordFeedback(by_bob).known_message);
}

TEST_P(StoreTicketsContract, OwnersRoundTripAndFilterTheList) {
  for (const std::string owner : {"key:alice", "key:bob", "key:alice", ""}) {
    NewTicket t = newTicket("ticket of " + owner);
    t.owner = owner;
    store().createTicket(t, kT0, false);
  }
  EXPECT_EQ(store().ticket(1)->owner, "key:alice");
  EXPECT_EQ(store().ticket(4)->owner, "");
  TicketListQuery alice;
  alice.owner = "key:alice";
  EXPECT_EQ(ticketIds(store().listTickets(alice)), (std::vector<std::int64_t>{3, 1}));
  alice.status = TicketStatus::kClosed;
  EXPECT_TRUE(store().listTickets(alice).tickets.empty());
  alice.status = TicketStatus::kOpen;
  alice.limit = 1;
  const auto first = store().listTickets(alice);
  EXPECT_EQ(ticketIds(first), (std::vector<std::int64_t>{3}));
  alice.before_id = first.next_before_id;
  EXPECT_EQ(ticketIds(store().listTickets(alice)), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(store().listTickets({}).tickets.size(), 4u);
}

TEST_P(StoreTicketsContract, IdempotencyKeysAreScopedToTheOwnerAndSession) {
  NewTicket alice = newTicket("Printer", "key-1");
  alice.owner = "key:alice";
  NewTicket bob = alice;
  bob.owner = "key:bob";
  const auto first = store().createTicket(alice, kT0, false);
  const auto other = store().createTicket(bob, kT0, false);
  EXPECT_TRUE(other.created);
  EXPECT_NE(other.ticket.id, first.ticket.id);
  const auto replay = store().createTicket(alice, kT0 + 1, false);
  EXPECT_FALSE(replay.created);
  EXPECT_EQ(replay.ticket.id, first.ticket.id);
  EXPECT_EQ(replay.ticket.idempotency_key, "key-1");  // as the client sent it
  NewTicket other_session = alice;
  other_session.session_id = "s2";
  EXPECT_TRUE(store().createTicket(other_session, kT0, false).created);
}

}  // namespace
}  // namespace chatbot::store::contract
