// The service desk's notes on tickets above the store: who may write them and who sees them
// (support::TicketService), and how they look in the ticket's JSON and in webhook payloads
// (tickets/ticket_json.h). The store's side is in the store contract (store_tickets_contract.cpp).
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "contracts/store_contract.h"
#include "store/sqlite_store.h"
#include "support/ticket_service.h"
#include "tickets/ticket_json.h"

namespace chatbot {
namespace {

using json = nlohmann::json;
using store::contract::kT0;

auth::Identity withRole(auth::Role role, const std::string& subject, const std::string& name) {
  auth::Identity identity;
  identity.kind = auth::IdentityKind::kApiKey;
  identity.role = role;
  identity.subject = subject;
  identity.display_name = name;
  return identity;
}

store::TicketNote note(std::int64_t id, const std::string& text, const std::string& name) {
  store::TicketNote n;
  n.id = id;
  n.ticket_id = 3;
  n.author = "key:desk";
  n.author_name = name;
  n.text = text;
  n.created_ms = 1'700'000'000'000;
  return n;
}

store::Ticket ticketWithNotes(std::vector<store::TicketNote> notes) {
  store::Ticket t;
  t.id = 3;
  t.subject = "Printer";
  t.notes = std::move(notes);
  return t;
}

TEST(TicketNoteJson, NotesAreInTheTicketOnlyWhenLoaded) {
  store::Ticket t = ticketWithNotes({note(7, "Called the user", "desk"), note(9, "Fixed", "")});
  const json j = tickets::ticketJson(t);
  ASSERT_TRUE(j["notes"].is_array());
  ASSERT_EQ(j["notes"].size(), 2u);
  EXPECT_EQ(j["notes"][0], json({{"id", 7},
                                 {"author", "key:desk"},
                                 {"author_name", "desk"},
                                 {"text", "Called the user"},
                                 {"created_at", "2023-11-14T22:13:20.000000Z"}}));
  EXPECT_TRUE(j["notes"][1]["author_name"].is_null());

  t.notes = std::vector<store::TicketNote>{};
  EXPECT_EQ(tickets::ticketJson(t)["notes"], json::array());
  t.notes.reset();  // withheld or not loaded: no key at all, not an empty list
  EXPECT_FALSE(tickets::ticketJson(t).contains("notes"));
}

TEST(TicketNoteJson, ANoteAddedEventCarriesItsNote) {
  const store::Ticket t = ticketWithNotes({note(7, "first", "desk"), note(9, "second", "desk")});
  store::OutboxEvent event{11, 3, "ticket.note_added", 0, kT0};
  event.note_id = 7;  // not the latest: the event names its own note
  json p = json::parse(tickets::webhookPayload(event, t, kT0));
  EXPECT_EQ(p["event"], "ticket.note_added");
  EXPECT_EQ(p["note"]["id"], 7);
  EXPECT_EQ(p["note"]["text"], "first");
  EXPECT_EQ(p["ticket"]["notes"].size(), 2u);

  event.note_id = 8;  // a note the ticket does not hold
  EXPECT_TRUE(json::parse(tickets::webhookPayload(event, t, kT0))["note"].is_null());
  const store::OutboxEvent updated{12, 3, "ticket.updated", 0, kT0};
  EXPECT_FALSE(json::parse(tickets::webhookPayload(updated, t, kT0)).contains("note"));
}

// A TicketService over a real store in a scratch folder, with a webhook "configured".
class TicketNotesService : public ::testing::Test {
 protected:
  TicketNotesService()
      : store_(std::make_shared<store::SqliteStore>(scratch_.path() / "store.db")),
        tokens_(std::make_shared<const auth::TicketTokens>("test-secret")),
        service_(store_, {true, [this] { ++wakes_; }, tokens_}) {}

  // A ticket opened by `owner` ("" anonymous).
  std::int64_t openTicket(const std::string& owner) {
    store::NewTicket t = store::contract::newTicket("Docking station");
    t.owner = owner;
    return store_->createTicket(t, kT0, false).ticket.id;
  }

  store::contract::ScratchDir scratch_;
  std::shared_ptr<store::SqliteStore> store_;
  std::shared_ptr<const auth::TicketTokens> tokens_;
  std::atomic<int> wakes_{0};
  support::TicketService service_;
  const auth::Identity alice_ = withRole(auth::Role::kEmployee, "key:alice", "alice");
  const auth::Identity agent_ = withRole(auth::Role::kAgent, "key:desk", "desk");
};

TEST_F(TicketNotesService, TheDeskWritesNotesAsItself) {
  const auto id = openTicket("key:alice");
  const auto added = service_.addNote(id, "Called the user", agent_);
  ASSERT_TRUE(added) << added.error().detail;
  EXPECT_EQ(added->ticket_id, id);
  EXPECT_EQ(added->author, "key:desk");
  EXPECT_EQ(added->author_name, "desk");
  EXPECT_EQ(added->text, "Called the user");
  EXPECT_EQ(wakes_, 1);  // the note_added event is waiting
  EXPECT_EQ(store_->dueEvents(added->created_ms, 10).at(0).note_id, added->id);

  const auto unknown = service_.addNote(id + 100, "lost", agent_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(unknown.error().code, "ticket_not_found");
}

TEST_F(TicketNotesService, NobodyElseWritesNotes) {
  const auto id = openTicket("key:alice");
  for (const auth::Identity& caller : {alice_, auth::Identity::anonymous()}) {
    const auto refused = service_.addNote(id, "let me in", caller);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::kForbidden);
  }
  EXPECT_TRUE(store_->ticket(id)->notes->empty());
  EXPECT_EQ(wakes_, 0);
}

TEST_F(TicketNotesService, OnlyTheDeskSeesTheNotes) {
  const auto owned = openTicket("key:alice");
  const auto anonymous = openTicket("");
  ASSERT_TRUE(service_.addNote(owned, "internal: user is on leave", agent_));
  ASSERT_TRUE(service_.addNote(anonymous, "internal: duplicate of IT-1", agent_));

  const auto for_desk = service_.ticket(owned, agent_, "");
  ASSERT_TRUE(for_desk && for_desk->notes);
  EXPECT_EQ(for_desk->notes->size(), 1u);
  const auto for_owner = service_.ticket(owned, alice_, "");
  ASSERT_TRUE(for_owner);
  EXPECT_FALSE(for_owner->notes);
  const auto for_holder =
      service_.ticket(anonymous, auth::Identity::anonymous(), tokens_->tokenFor(anonymous));
  ASSERT_TRUE(for_holder);
  EXPECT_FALSE(for_holder->notes);
  const auto admin = withRole(auth::Role::kAdmin, "key:root", "root");
  EXPECT_EQ(service_.ticket(anonymous, admin, "")->notes->size(), 1u);
}

}  // namespace
}  // namespace chatbot
