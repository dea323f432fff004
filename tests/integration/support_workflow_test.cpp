// The support workflow over HTTP against the real server and a real SQLite file: conversations
// and follow-ups, citations, feedback and statistics, escalation, tickets, and the replies to
// messages that are not questions for the knowledge base (intents).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "chat_stream_checks.h"
#include "server_process.h"

namespace chatbot::testing {
namespace {

using nlohmann::json;

class SupportWorkflow : public SharedServerTest {
 protected:
  json post(const std::string& path, const json& body, unsigned expected_status) {
    const auto res = client_.postJson(path, body.dump());
    EXPECT_EQ(res.result_int(), expected_status)
        << path << " " << body.dump() << " -> " << res.body();
    return json::parse(res.body());
  }
  json chat(const std::string& query, const std::string& session_id = "") {
    json body = {{"query", query}};
    if (!session_id.empty()) body["session_id"] = session_id;
    return post("/api/v1/chat/", body, 200);
  }
  // As the service desk (admin key): reads of tickets and statistics need the role.
  json get(const std::string& path, unsigned expected_status = 200) {
    const auto res = admin_.get(path);
    EXPECT_EQ(res.result_int(), expected_status) << path << " -> " << res.body();
    return res.body().empty() ? json() : json::parse(res.body());
  }
  // Asserts the foundation's error format.
  void expectError(const Response& res, unsigned status, const std::string& code) {
    EXPECT_EQ(res.result_int(), status) << res.body();
    const auto body = json::parse(res.body());
    EXPECT_EQ(body["error"], code) << res.body();
    EXPECT_FALSE(body["detail"].get<std::string>().empty());
    EXPECT_TRUE(body["request_id"].is_string());
  }
};

TEST_F(SupportWorkflow, EveryReplyHasASessionAMessageIdAndNumberedSources) {
  const auto reply = chat("How do I reset my password?");
  ASSERT_TRUE(reply["session_id"].is_string());
  ASSERT_TRUE(reply["message_id"].is_string());
  EXPECT_NE(reply["session_id"], reply["message_id"]);
  ASSERT_TRUE(reply["answered"].get<bool>()) << reply.dump();
  ASSERT_FALSE(reply["sources"].empty());
  const auto& first = reply["sources"][0];
  EXPECT_EQ(first["n"], 1);
  EXPECT_EQ(first["article_id"], reply["search_results"][0]["metadata"]["id"]);
  EXPECT_EQ(first["subject"], reply["search_results"][0]["subject"]);
  EXPECT_TRUE(first["path"].is_string());
  EXPECT_TRUE(first["score"].is_number());
  EXPECT_EQ(reply["standalone_query"], reply["query"]);
  EXPECT_TRUE(reply["escalation"]["suggested"].is_boolean());
}

TEST_F(SupportWorkflow, AFollowUpIsSearchedWithTheConversation) {
  const auto first = chat("How do I reset my password on my MacBook Air?");
  const std::string session = first["session_id"];
  const auto second = chat("and on Windows?", session);
  EXPECT_EQ(second["session_id"], session);
  const std::string standalone = second["standalone_query"];
  EXPECT_NE(standalone.find("password"), std::string::npos) << standalone;
  EXPECT_NE(standalone.find("Windows"), std::string::npos) << standalone;
  EXPECT_EQ(standalone.find("MacBook"), std::string::npos) << standalone;
  EXPECT_EQ(second["query_rewrite"], "rules");
  EXPECT_TRUE(first["query_rewrite"].is_null());
  EXPECT_TRUE(second["answered"].get<bool>()) << second.dump();

  const auto transcript = get("/api/v1/sessions/" + session);
  ASSERT_EQ(transcript["messages"].size(), 2u);
  EXPECT_EQ(transcript["messages"][0]["query"], "How do I reset my password on my MacBook Air?");
  EXPECT_EQ(transcript["messages"][1]["message_id"], second["message_id"]);
  EXPECT_EQ(transcript["messages"][1]["standalone_query"], standalone);
  EXPECT_EQ(transcript["messages"][1]["response"], second["response"]);
  EXPECT_TRUE(transcript["expires_at"].is_string());
}

TEST_F(SupportWorkflow, AnUnknownSessionStartsANewOneAndSaysSo) {
  const auto reply = chat("How do I connect to the VPN?", "no-such-session");
  EXPECT_NE(reply["session_id"], "no-such-session");
  bool warned = false;
  for (const auto& w : reply["warnings"])
    warned |= w.get<std::string>().find("new one") != std::string::npos;
  EXPECT_TRUE(warned) << reply.dump();
  expectError(client_.postJson("/api/v1/chat/", R"({"query":"vpn","session_id":"bad id!"})"), 400,
              "validation_error");
  expectError(client_.postJson("/api/v1/chat/", R"({"query":"vpn","session_id":7})"), 400,
              "validation_error");
}

TEST_F(SupportWorkflow, DeletingAConversationRemovesItsTranscript) {
  const std::string session = chat("Outlook keeps asking for my password")["session_id"];
  const auto res = client_.send(http::verb::delete_, "/api/v1/sessions/" + session, "", {});
  EXPECT_EQ(res.result_int(), 204);
  expectError(client_.get("/api/v1/sessions/" + session), 404, "session_not_found");
  expectError(client_.send(http::verb::delete_, "/api/v1/sessions/" + session, "", {}), 404,
              "session_not_found");
}

TEST_F(SupportWorkflow, SecretsAreRedactedBeforeTheyAreStored) {
  const auto reply = chat("My password is Hunter2-Secret! and the VPN rejects it");
  const auto transcript = get("/api/v1/sessions/" + reply["session_id"].get<std::string>());
  const std::string stored = transcript["messages"][0]["query"];
  EXPECT_EQ(stored.find("Hunter2"), std::string::npos) << stored;
  EXPECT_NE(stored.find("[REDACTED]"), std::string::npos) << stored;
}

TEST_F(SupportWorkflow, SmallTalkAndRequestsGetFittingRepliesNotArticles) {
  const auto hello = chat("Hi there!");
  EXPECT_EQ(hello["intent"], "greeting") << hello.dump();
  EXPECT_FALSE(hello["answered"].get<bool>());
  EXPECT_TRUE(hello["search_results"].empty());
  EXPECT_FALSE(hello["escalation"]["suggested"].get<bool>());
  EXPECT_EQ(hello["generator"], "rules");
  const auto session = hello["session_id"].get<std::string>();
  EXPECT_EQ(chat("thanks a lot", session)["intent"], "thanks");

  const auto human = chat("Can I talk to a human please?", session);
  EXPECT_EQ(human["intent"], "human");
  EXPECT_TRUE(human["escalation"]["suggested"].get<bool>());
  EXPECT_EQ(human["escalation"]["reason"], "asked_for_human");
  const auto ticket = chat("I want to open a ticket");
  EXPECT_EQ(ticket["escalation"]["reason"], "asked_for_ticket");

  // Intents are stored like any exchange: feedback and tickets can refer to them.
  EXPECT_EQ(get("/api/v1/sessions/" + session)["messages"].size(), 3U);
  // A real question is still a question, greeting or not.
  const auto vpn = chat("hi, my VPN keeps disconnecting");
  EXPECT_TRUE(vpn["intent"].is_null());
  EXPECT_TRUE(vpn["answered"].get<bool>());
}

TEST_F(SupportWorkflow, TopicsOutsideItAreSentToWhoHandlesThem) {
  const auto leave = chat("How many days of annual leave do I have left this year?");
  EXPECT_EQ(leave["intent"], "out_of_scope") << leave.dump();
  EXPECT_FALSE(leave["answered"].get<bool>());
  EXPECT_NE(leave["response"].get<std::string>().find("hr@example.com"), std::string::npos);
  EXPECT_FALSE(leave["escalation"]["suggested"].get<bool>()) << "the IT desk is the wrong place";
  EXPECT_TRUE(leave["search_results"].empty());
}

TEST_F(SupportWorkflow, AnIntentStreamsLikeAnyAnswer) {
  const auto res = client_.postJson("/api/v1/chat/stream", R"({"query":"hello"})");
  const auto done = expectChatStream(res);
  EXPECT_EQ(done["intent"], "greeting");
}

TEST_F(SupportWorkflow, EscalationIsOfferedWhenTheBotCannotHelp) {
  const auto off_topic = chat("What is the best recipe for lemon cake?");
  EXPECT_FALSE(off_topic["answered"].get<bool>());
  EXPECT_TRUE(off_topic["escalation"]["suggested"].get<bool>());
  EXPECT_EQ(off_topic["escalation"]["reason"], "no_answer");

  const auto first = chat("How do I connect to the VPN from home?");
  const auto failed = chat("I tried that but it still doesn't work", first["session_id"]);
  EXPECT_TRUE(failed["escalation"]["suggested"].get<bool>());
  EXPECT_EQ(failed["escalation"]["reason"], "user_reported_failure");
  EXPECT_FALSE(failed["escalation"]["message"].get<std::string>().empty());
}

TEST_F(SupportWorkflow, FeedbackIsStoredOncePerReplyAndAggregated) {
  const auto before = get("/api/v1/stats");
  const auto reply = chat("How do I set up multi-factor authentication?");
  const std::string message = reply["message_id"];

  const auto bad =
      post("/api/v1/feedback",
           {{"message_id", message}, {"helpful", false}, {"comment", "wrong OS"}}, 201);
  EXPECT_FALSE(bad["replaced"].get<bool>());
  EXPECT_TRUE(bad["escalation"]["suggested"].get<bool>());
  EXPECT_EQ(bad["escalation"]["reason"], "not_helpful");
  EXPECT_EQ(bad["session_id"], reply["session_id"]);

  const auto good = post("/api/v1/feedback", {{"message_id", message}, {"helpful", true}}, 200);
  EXPECT_TRUE(good["replaced"].get<bool>());
  EXPECT_FALSE(good["escalation"]["suggested"].get<bool>());

  const auto after = get("/api/v1/stats");
  EXPECT_EQ(after["questions"].get<int>() - before["questions"].get<int>(), 1);
  EXPECT_EQ(after["feedback"]["total"].get<int>() - before["feedback"]["total"].get<int>(), 1);
  EXPECT_EQ(after["feedback"]["helpful"].get<int>() - before["feedback"]["helpful"].get<int>(), 1);
  EXPECT_TRUE(after["answered_rate"].is_number());

  // A "not helpful" on an article puts it on the worst list.
  const auto other = chat("Printer shows offline");
  post("/api/v1/feedback", {{"message_id", other["message_id"]}, {"helpful", false}}, 201);
  const auto stats = get("/api/v1/stats");
  bool listed = false;
  for (const auto& a : stats["worst_articles"])
    listed |= a["article_id"] == other["sources"][0]["article_id"];
  EXPECT_TRUE(listed) << stats.dump();
}

TEST_F(SupportWorkflow, FeedbackInputIsValidated) {
  expectError(client_.postJson("/api/v1/feedback", R"({"message_id":"nope","helpful":true})"), 404,
              "message_not_found");
  expectError(client_.postJson("/api/v1/feedback", R"({"helpful":true})"), 400, "validation_error");
  expectError(client_.postJson("/api/v1/feedback", R"({"message_id":"x","helpful":"yes"})"), 400,
              "validation_error");
  expectError(client_.postJson("/api/v1/feedback", R"({"message_id":"x"})"), 400,
              "validation_error");
  expectError(client_.postJson("/api/v1/feedback", "[1]"), 400, "validation_error");
  expectError(client_.postJson("/api/v1/feedback", "{"), 400, "invalid_json");
  expectError(
      client_.send(http::verb::post, "/api/v1/feedback", "x", {{"Content-Type", "text/plain"}}),
      415, "unsupported_media_type");
  const std::string long_comment(2001, 'a');
  expectError(client_.postJson(
                  "/api/v1/feedback",
                  json{{"message_id", "x"}, {"helpful", true}, {"comment", long_comment}}.dump()),
              400, "validation_error");
}

TEST_F(SupportWorkflow, ATicketFromAConversationCarriesEverythingAnAgentNeeds) {
  const auto first = chat("My laptop cannot connect to the office wifi");
  const std::string session = first["session_id"];
  chat("it still doesn't work", session);
  const auto res = client_.postJson(
      "/api/v1/tickets", json{{"session_id", session}, {"contact", "alex@example.com"}}.dump());
  ASSERT_EQ(res.result_int(), 201) << res.body();
  const auto ticket = json::parse(res.body());
  EXPECT_TRUE(std::regex_match(ticket["id"].get<std::string>(), std::regex("IT-[0-9]+")));
  EXPECT_EQ(res[http::field::location], "/api/v1/tickets/" + ticket["id"].get<std::string>());
  EXPECT_EQ(ticket["status"], "open");
  EXPECT_EQ(ticket["session_id"], session);
  EXPECT_EQ(ticket["contact"], "alex@example.com");
  EXPECT_EQ(ticket["subject"], "My laptop cannot connect to the office wifi");
  EXPECT_EQ(ticket["category"], first["sources"][0]["category"]);
  ASSERT_EQ(ticket["transcript"].size(), 2u);
  EXPECT_EQ(ticket["transcript"][1]["query"], "it still doesn't work");
  ASSERT_FALSE(ticket["articles_tried"].empty());
  EXPECT_EQ(ticket["articles_tried"][0]["article_id"], first["sources"][0]["article_id"]);
  EXPECT_EQ(ticket["delivery"]["state"], "none");  // no webhook configured

  const auto by_id = get("/api/v1/tickets/" + ticket["id"].get<std::string>());
  EXPECT_EQ(by_id["subject"], ticket["subject"]);
  const auto by_number = get("/api/v1/tickets/" + std::to_string(ticket["number"].get<int>()));
  EXPECT_EQ(by_number["id"], ticket["id"]);
}

TEST_F(SupportWorkflow, ATicketFromADescriptionGetsACategoryAndAPriority) {
  const auto ticket = post(
      "/api/v1/tickets",
      {{"description", "I clicked a link in a phishing email and typed my password abc123XYZ!"}},
      201);
  EXPECT_EQ(ticket["priority"], "urgent");
  EXPECT_EQ(ticket["category"], "security");
  EXPECT_TRUE(ticket["session_id"].is_null());
  EXPECT_TRUE(ticket["transcript"].empty());
  const auto normal =
      post("/api/v1/tickets",
           {{"description", "The printer on floor 2 is offline"}, {"priority", "low"}}, 201);
  EXPECT_EQ(normal["priority"], "low");
  EXPECT_EQ(normal["category"], "devices");
}

TEST_F(SupportWorkflow, AnIdempotencyKeyMakesRetriesSafe) {
  const std::string body = json{{"description", "Monitor flickers"}}.dump();
  const std::map<std::string, std::string> headers = {{"Content-Type", "application/json"},
                                                      {"Idempotency-Key", "retry-123"}};
  const auto first = client_.send(http::verb::post, "/api/v1/tickets", body, headers);
  const auto second = client_.send(http::verb::post, "/api/v1/tickets", body, headers);
  EXPECT_EQ(first.result_int(), 201);
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(json::parse(first.body())["id"], json::parse(second.body())["id"]);
}

TEST_F(SupportWorkflow, TicketsArePagedNewestFirstAndFilteredByStatus) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(
        post("/api/v1/tickets", {{"description", "Paging test " + std::to_string(i)}}, 201)["id"]);
  const auto patched =
      admin_.send(http::verb::patch, "/api/v1/tickets/" + ids[1], R"({"status":"resolved"})");
  ASSERT_EQ(patched.result_int(), 200) << patched.body();
  EXPECT_EQ(json::parse(patched.body())["status"], "resolved");

  // Walk every page of two.
  std::vector<std::string> seen;
  std::string next;
  for (int page = 0; page < 100; ++page) {
    const auto body = get("/api/v1/tickets?limit=2" + (next.empty() ? "" : "&before=" + next));
    EXPECT_LE(body["tickets"].size(), 2u);
    for (const auto& t : body["tickets"]) {
      EXPECT_FALSE(t.contains("transcript"));
      seen.push_back(t["id"]);
    }
    if (body["next"].is_null()) break;
    next = body["next"];
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  // Newest first: our five appear in reverse order of creation.
  std::vector<std::string> ours;
  for (const auto& id : seen) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) ours.push_back(id);
  }
  EXPECT_EQ(ours, std::vector<std::string>(ids.rbegin(), ids.rend()));

  const auto resolved = get("/api/v1/tickets?status=resolved&limit=100");
  bool found = false;
  for (const auto& t : resolved["tickets"]) {
    EXPECT_EQ(t["status"], "resolved");
    found |= t["id"] == ids[1];
  }
  EXPECT_TRUE(found);
}

TEST_F(SupportWorkflow, TicketInputIsValidated) {
  expectError(client_.postJson("/api/v1/tickets", "{}"), 400, "validation_error");
  expectError(client_.postJson("/api/v1/tickets", R"({"description":"x","priority":"asap"})"), 400,
              "validation_error");
  expectError(client_.postJson("/api/v1/tickets", R"({"session_id":"gone-session"})"), 404,
              "session_not_found");
  expectError(client_.get("/api/v1/tickets/IT-999999"), 404, "ticket_not_found");
  expectError(client_.get("/api/v1/tickets/abc"), 400, "validation_error");
  expectError(admin_.get("/api/v1/tickets?status=done"), 400, "validation_error");
  expectError(admin_.get("/api/v1/tickets?limit=0"), 400, "validation_error");
  expectError(admin_.get("/api/v1/tickets?colour=red"), 400, "validation_error");
  const std::string id = post("/api/v1/tickets", {{"description", "Validation"}}, 201)["id"];
  expectError(admin_.send(http::verb::patch, "/api/v1/tickets/" + id, R"({"status":"done"})"), 400,
              "validation_error");
  expectError(admin_.send(http::verb::patch, "/api/v1/tickets/" + id,
                          R"({"status":"closed","priority":"low"})"),
              400, "validation_error");
  expectError(admin_.send(http::verb::patch, "/api/v1/tickets/IT-999999", R"({"status":"closed"})"),
              404, "ticket_not_found");
  // Nothing above changed the ticket.
  EXPECT_EQ(get("/api/v1/tickets/" + id)["status"], "open");
}

}  // namespace
}  // namespace chatbot::testing
