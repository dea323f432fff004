// The service desk's notes on tickets over HTTP, on the real server: agents and admins add them
// (redacted, authored by their identity), only they see them, everyone else is refused, bad
// requests are 400, an unknown ticket 404, and every note is in the audit trail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "integration/server_process.h"

namespace chatbot::testing {
namespace {

using json = nlohmann::json;

class TicketNotes : public SharedServerTest {
 protected:
  static void SetUpTestSuite() {
    SharedServerTest::SetUpTestSuite();
    desk_key_ = new std::string(createKey("notes-desk", "agent"));
    alice_key_ = new std::string(createKey("notes-alice", "employee"));
  }
  static void TearDownTestSuite() {
    delete desk_key_;
    delete alice_key_;
    SharedServerTest::TearDownTestSuite();
  }
  // A key through the admin API; returns its secret.
  static std::string createKey(const std::string& name, const std::string& role) {
    HttpClient admin = server_->adminClient();
    const auto res =
        admin.postJson("/api/v1/admin/keys", json{{"name", name}, {"role", role}}.dump());
    EXPECT_EQ(res.result_int(), 201) << res.body();
    return json::parse(res.body()).value("key", "");
  }
  // Alice's ticket; returns its path (/api/v1/tickets/IT-n).
  std::string aliceTicket() {
    const auto res = alice_.postJson("/api/v1/tickets", R"({"description":"Dock not detected"})");
    EXPECT_EQ(res.result_int(), 201) << res.body();
    return "/api/v1/tickets/" + json::parse(res.body())["id"].get<std::string>();
  }
  static Response addNote(HttpClient& as, const std::string& ticket_path, const std::string& body) {
    return as.postJson(ticket_path + "/notes", body);
  }
  static json parsed(const Response& res) { return json::parse(res.body()); }

  static inline std::string* desk_key_ = nullptr;
  static inline std::string* alice_key_ = nullptr;
  HttpClient desk_{server_->port(), {{"Authorization", "Bearer " + *desk_key_}}};
  HttpClient alice_{server_->port(), {{"Authorization", "Bearer " + *alice_key_}}};
};

TEST_F(TicketNotes, TheDeskAddsNotesThatOnlyTheDeskSees) {
  const std::string path = aliceTicket();
  const auto added = addNote(
      desk_, path, R"({"text":"  Called Alice, she says her password is Dock-Pa55word!  "})");
  ASSERT_EQ(added.result_int(), 201) << added.body();
  EXPECT_EQ(added[http::field::location], path);
  const json note = parsed(added);
  EXPECT_TRUE(note["id"].is_number_integer());
  EXPECT_EQ(note["author"].get<std::string>().rfind("key:", 0), 0u) << note.dump();
  EXPECT_EQ(note["author_name"], "notes-desk");
  const std::string text = note["text"];
  EXPECT_EQ(text.rfind("Called Alice", 0), 0u) << text;  // trimmed
  EXPECT_EQ(text.find("Dock-Pa55word"), std::string::npos) << text;
  EXPECT_NE(text.find("[REDACTED]"), std::string::npos) << text;
  EXPECT_TRUE(note["created_at"].is_string());

  const auto second = addNote(admin_, path, R"({"text":"Replacement dock ordered"})");
  ASSERT_EQ(second.result_int(), 201) << second.body();
  EXPECT_EQ(parsed(second)["author"], "admin:bootstrap");

  const json for_desk = parsed(desk_.get(path));
  ASSERT_EQ(for_desk["notes"].size(), 2u) << for_desk.dump();
  EXPECT_EQ(for_desk["notes"][0], note);
  EXPECT_EQ(for_desk["notes"][1]["text"], "Replacement dock ordered");
  EXPECT_EQ(for_desk["updated_at"], parsed(second)["created_at"]);
  EXPECT_EQ(parsed(admin_.get(path))["notes"].size(), 2u);

  // Alice sees her ticket, without the desk's notes; nor are they in her list.
  const auto for_alice = alice_.get(path);
  ASSERT_EQ(for_alice.result_int(), 200);
  EXPECT_FALSE(parsed(for_alice).contains("notes")) << for_alice.body();
  EXPECT_EQ(for_alice.body().find("Replacement dock"), std::string::npos);
  EXPECT_EQ(alice_.get("/api/v1/tickets").body().find("Replacement dock"), std::string::npos);
}

TEST_F(TicketNotes, AnAnonymousOpenerDoesNotSeeThemEither) {
  const auto opened =
      client_.postJson("/api/v1/tickets", R"({"description":"Laptop will not charge"})");
  ASSERT_EQ(opened.result_int(), 201) << opened.body();
  const json ticket = parsed(opened);
  const std::string path = "/api/v1/tickets/" + ticket["id"].get<std::string>();
  ASSERT_EQ(addNote(desk_, path, R"({"text":"Charger swapped"})").result_int(), 201);
  HttpClient holder(server_->port(),
                    {{"X-Ticket-Token", ticket["access_token"].get<std::string>()}});
  const auto seen = holder.get(path);
  ASSERT_EQ(seen.result_int(), 200) << seen.body();
  EXPECT_FALSE(parsed(seen).contains("notes"));
  EXPECT_EQ(parsed(desk_.get(path))["notes"].size(), 1u);
}

TEST_F(TicketNotes, OnlyTheDeskMayAddThem) {
  const std::string path = aliceTicket();
  const std::string body = R"({"text":"Please hurry"})";
  const auto by_alice = addNote(alice_, path, body);
  EXPECT_EQ(by_alice.result_int(), 403) << by_alice.body();
  EXPECT_EQ(parsed(by_alice)["error"], "forbidden");
  const auto by_anonymous = addNote(client_, path, body);
  EXPECT_EQ(by_anonymous.result_int(), 401) << by_anonymous.body();
  EXPECT_EQ(parsed(by_anonymous)["error"], "authentication_required");
  EXPECT_TRUE(parsed(desk_.get(path))["notes"].empty());
}

TEST_F(TicketNotes, BadNotesAre400AndUnknownTicketsAre404) {
  const std::string path = aliceTicket();
  const std::vector<std::string> bad = {R"({"text":"   "})",
                                        R"({})",
                                        R"({"text":42})",
                                        R"({"text":"ok","author":"someone"})",
                                        json{{"text", std::string(4001, 'x')}}.dump(),
                                        "[]"};
  for (const std::string& body : bad) {
    const auto res = addNote(desk_, path, body);
    EXPECT_EQ(res.result_int(), 400) << body.substr(0, 60) << " " << res.body();
    EXPECT_EQ(parsed(res)["error"], "validation_error") << res.body();
  }
  // The limit counts characters, not bytes.
  std::string long_text;
  for (int i = 0; i < 4000; ++i) long_text += "\xC3\xA9";  // é
  EXPECT_EQ(addNote(desk_, path, json{{"text", long_text}}.dump()).result_int(), 201);
  const auto plain =
      desk_.send(http::verb::post, path + "/notes", "hello", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(plain.result_int(), 415) << plain.body();
  const auto unknown = addNote(desk_, "/api/v1/tickets/IT-999999", R"({"text":"lost"})");
  EXPECT_EQ(unknown.result_int(), 404) << unknown.body();
  EXPECT_EQ(parsed(unknown)["error"], "ticket_not_found");
  EXPECT_EQ(addNote(desk_, "/api/v1/tickets/not-a-ticket", R"({"text":"x"})").result_int(), 400);
  EXPECT_EQ(parsed(desk_.get(path))["notes"].size(), 1u);  // only the valid one
}

// A note is a write by the desk: the audit trail has it, with who wrote it and the outcome.
TEST_F(TicketNotes, EveryNoteIsAudited) {
  const std::string path = aliceTicket();
  ASSERT_EQ(addNote(desk_, path, R"({"text":"Audited note"})").result_int(), 201);
  ASSERT_EQ(addNote(alice_, path, R"({"text":"Refused note"})").result_int(), 403);
  bool found_note = false, found_refusal = false;
  json entries;
  for (int i = 0; i < 50 && !(found_note && found_refusal); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    entries = parsed(admin_.get("/api/v1/admin/audit?limit=200"));
    for (const auto& e : entries["entries"]) {
      if (e["target"] != path + "/notes" ||
          e["action"] != "POST /api/v1/tickets/{ticket_id}/notes") {
        continue;
      }
      if (e["outcome"] == 201 && e["role"] == "agent" && e["actor_name"] == "notes-desk") {
        found_note = true;
      }
      if (e["outcome"] == 403 && e["role"] == "employee" && e["actor_name"] == "notes-alice") {
        found_refusal = true;
      }
    }
  }
  EXPECT_TRUE(found_note) << entries.dump(1);
  EXPECT_TRUE(found_refusal) << entries.dump(1);
}

}  // namespace
}  // namespace chatbot::testing
