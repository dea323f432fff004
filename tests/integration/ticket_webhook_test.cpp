// Tickets reach the external ticket system through the durable outbox: a receiver that fails the
// first attempts still gets the ticket, signed, then its status changes and notes; events pending
// when the server dies are delivered by the next one.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.h"
#include "tickets/webhook_client.h"
#include "unit/webhook_receiver.h"

namespace chatbot::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Polls GET /tickets/{id} until its delivery state is `state` (or the timeout) and returns it.
json waitForDelivery(HttpClient& client, const std::string& id, const std::string& state,
                     std::chrono::seconds timeout = std::chrono::seconds(40)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json ticket;
  while (std::chrono::steady_clock::now() < deadline) {
    ticket = json::parse(client.get("/api/v1/tickets/" + id).body());
    if (ticket["delivery"]["state"] == state) return ticket;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "delivery of " << id << " never became " << state << ": " << ticket.dump();
  return ticket;
}

TEST(TicketWebhook, AReceiverThatFailsAtFirstGetsTheSignedTicket) {
  WebhookReceiver receiver({ReceiverAction::respond(503, "busy"), ReceiverAction::close()});
  ServerProcess server(
      {{"TICKET_WEBHOOK_URL", receiver.url()}, {"TICKET_WEBHOOK_SECRET", "s3cret"}});
  HttpClient client = server.adminClient();  // the desk: reads and changes tickets
  const auto created =
      client.postJson("/api/v1/tickets", R"({"description":"Laptop battery swells"})");
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const std::string id = json::parse(created.body())["id"];

  const json ticket = waitForDelivery(client, id, "delivered");
  EXPECT_EQ(ticket["delivery"]["attempts"], 3);
  EXPECT_TRUE(ticket["delivery"]["last_error"].is_null());
  EXPECT_TRUE(ticket["delivery"]["delivered_at"].is_string());

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  const auto& last = requests.back();
  EXPECT_EQ(last.method, "POST");
  EXPECT_EQ(last.header("x-chatbot-event"), "ticket.created");
  EXPECT_EQ(last.header("x-chatbot-delivery"), requests.front().header("x-chatbot-delivery"));
  const std::int64_t timestamp = std::stoll(last.header("x-chatbot-timestamp"));
  EXPECT_EQ(last.header("x-chatbot-signature"),
            tickets::webhookSignature("s3cret", timestamp, last.body));
  const auto payload = json::parse(last.body);
  EXPECT_EQ(payload["event"], "ticket.created");
  EXPECT_EQ(payload["ticket"]["id"], id);
  EXPECT_EQ(payload["ticket"]["description"], "Laptop battery swells");

  // A status change is an event of its own.
  const auto patched =
      client.send(http::verb::patch, "/api/v1/tickets/" + id, R"({"status":"in_progress"})");
  ASSERT_EQ(patched.result_int(), 200) << patched.body();
  ASSERT_TRUE(receiver.waitForRequests(4, std::chrono::seconds(20)));
  const auto update = receiver.requests().back();
  EXPECT_EQ(update.header("x-chatbot-event"), "ticket.updated");
  EXPECT_EQ(json::parse(update.body)["ticket"]["status"], "in_progress");

  // So is a note of the desk: the payload names it, and the ticket comes with its notes.
  const auto noted =
      client.postJson("/api/v1/tickets/" + id + "/notes", R"({"text":"Battery replaced"})");
  ASSERT_EQ(noted.result_int(), 201) << noted.body();
  ASSERT_TRUE(receiver.waitForRequests(5, std::chrono::seconds(20)));
  const auto note_event = receiver.requests().back();
  EXPECT_EQ(note_event.header("x-chatbot-event"), "ticket.note_added");
  const auto note_payload = json::parse(note_event.body);
  EXPECT_EQ(note_payload["note"], json::parse(noted.body()));
  EXPECT_EQ(note_payload["ticket"]["notes"].size(), 1u);
}

TEST(TicketWebhook, EventsPendingWhenTheServerDiesAreDeliveredAfterARestart) {
  const fs::path dir = fs::temp_directory_path() / ("chatbot-outbox-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string database = (dir / "chatbot.sqlite3").string();
  std::string id;
  {
    WebhookReceiver down({}, ReceiverAction::respond(500, "maintenance"));
    ServerProcess server({{"DATABASE_PATH", database}, {"TICKET_WEBHOOK_URL", down.url()}});
    HttpClient client = server.adminClient();
    const auto created =
        client.postJson("/api/v1/tickets", R"({"description":"Docking station not detected"})");
    ASSERT_EQ(created.result_int(), 201) << created.body();
    id = json::parse(created.body())["id"];
    ASSERT_TRUE(down.waitForRequests(1, std::chrono::seconds(20)));
    json ticket;
    for (int i = 0; i < 100; ++i) {
      ticket = json::parse(client.get("/api/v1/tickets/" + id).body());
      if (ticket["delivery"]["attempts"].get<int>() >= 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(ticket["delivery"]["state"], "pending");
    EXPECT_NE(ticket["delivery"]["last_error"].get<std::string>().find("500"), std::string::npos)
        << ticket.dump();
    server.kill();
  }
  WebhookReceiver up;
  ServerProcess restarted({{"DATABASE_PATH", database}, {"TICKET_WEBHOOK_URL", up.url()}});
  HttpClient client = restarted.adminClient();
  waitForDelivery(client, id, "delivered");
  ASSERT_GE(up.count(), 1u);
  EXPECT_EQ(json::parse(up.requests().front().body)["ticket"]["id"], id);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace chatbot::testing
