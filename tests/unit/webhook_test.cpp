// Webhook delivery of ticket events: the payload JSON, the HMAC signature, the libcurl client
// against a real loopback receiver (tests/unit/webhook_receiver.h), the retry schedule, and the
// OutboxWorker end to end over the real SqliteStore.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "store/store.h"
#include "tickets/outbox_worker.h"
#include "tickets/ticket_json.h"
#include "tickets/webhook_client.h"
#include "unit/webhook_receiver.h"
#include "util/hash.h"
#include "util/time.h"

namespace chatbot {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using std::chrono::milliseconds;
using testing::ReceiverAction;
using testing::retryAfterHttpDate;
using testing::WebhookReceiver;
using tickets::FailureKind;

// ---------------------------------------------------------------------------------------------
// The real SqliteStore on a temporary file, behind a decorator that can make dueEvents() fail a
// few times (a locked or unavailable database) to show that store errors do not end delivery.
// ---------------------------------------------------------------------------------------------
class FlakyStore final : public store::Store {
 public:
  FlakyStore()
      : dir_(std::filesystem::temp_directory_path() /
             ("chatbot-webhook-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))),
        real_(std::make_unique<store::SqliteStore>(dir_ / "store.sqlite3")) {}
  ~FlakyStore() override {
    real_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // dueEvents() throws StoreError this many times before working.
  std::atomic<int> fail_due_events{0};
  // ticket() does not find this id, as a store whose ticket row is gone while its events remain
  // (SQLite's foreign keys forbid that; another Store implementation might not).
  std::atomic<std::int64_t> missing_ticket{0};

  void appendExchange(const store::Exchange& e, const store::SessionPolicy& p) override {
    real_->appendExchange(e, p);
  }
  void appendExchanges(const std::vector<store::Exchange>& e,
                       const store::SessionPolicy& p) override {
    real_->appendExchanges(e, p);
  }
  std::optional<store::Session> session(const std::string& id, store::EpochMs now) override {
    return real_->session(id, now);
  }
  store::RecentExchanges recentExchanges(const std::string& id, std::size_t n,
                                         store::EpochMs now) override {
    return real_->recentExchanges(id, n, now);
  }
  bool deleteSession(const std::string& id) override { return real_->deleteSession(id); }
  std::size_t purgeExpiredSessions(store::EpochMs now) override {
    return real_->purgeExpiredSessions(now);
  }
  store::FeedbackOutcome recordFeedback(const store::Feedback& f) override {
    return real_->recordFeedback(f);
  }
  store::Stats stats(std::size_t worst) override { return real_->stats(worst); }
  store::CreatedTicket createTicket(const store::NewTicket& t, store::EpochMs now,
                                    bool notify) override {
    return real_->createTicket(t, now, notify);
  }
  std::optional<store::Ticket> ticket(std::int64_t id) override {
    if (id == missing_ticket) return std::nullopt;
    return real_->ticket(id);
  }
  store::TicketPage listTickets(const store::TicketListQuery& q) override {
    return real_->listTickets(q);
  }
  std::optional<store::Ticket> updateTicketStatus(std::int64_t id, store::TicketStatus status,
                                                  store::EpochMs now, bool notify) override {
    return real_->updateTicketStatus(id, status, now, notify);
  }
  std::optional<store::TicketNote> addTicketNote(std::int64_t id, const store::NewTicketNote& note,
                                                 store::EpochMs now, bool notify) override {
    return real_->addTicketNote(id, note, now, notify);
  }
  std::vector<store::OutboxEvent> dueEvents(store::EpochMs now, std::size_t limit) override {
    if (fail_due_events > 0) {
      --fail_due_events;
      throw store::StoreError("database is locked (injected by the test)");
    }
    return real_->dueEvents(now, limit);
  }
  std::optional<store::EpochMs> nextDueTime() override { return real_->nextDueTime(); }
  void markDelivered(std::int64_t id, store::EpochMs now) override {
    real_->markDelivered(id, now);
  }
  void markAttemptFailed(std::int64_t id, const std::string& error,
                         std::optional<store::EpochMs> retry_at) override {
    real_->markAttemptFailed(id, error, retry_at);
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> real_;
};

// ---------------------------------------------------------------------------------------------
// Helpers.

store::NewTicket sampleNewTicket() {
  store::NewTicket t;
  t.session_id = "sess-1";
  t.subject = "VPN drops every hour";
  t.description = "The VPN disconnects about every 60 minutes.";
  t.category = "network";
  t.priority = store::TicketPriority::kHigh;
  t.contact = "alice@example.com";
  store::Exchange e;
  e.message_id = "m-1";
  e.session_id = "sess-1";
  e.created_ms = 1'700'000'000'123;
  e.query = "my vpn keeps dropping";
  e.response = "Try reconnecting with the new profile [1].";
  e.answered = true;
  e.sources = {{"vpn-101", "VPN basics", "network", "https://kb/vpn-101", 0.75}};
  t.transcript = {e};
  t.articles_tried = {{"vpn-101", "VPN basics", "network", "https://kb/vpn-101", 0.75}};
  return t;
}

// Lower-case hex HMAC-SHA256, computed here directly with OpenSSL (not through util::) so that
// the test checks the production code against an independent computation.
std::string opensslHmacHex(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
}

tickets::WebhookMessage sampleMessage() {
  return {"ticket.created", 42, R"({"event":"ticket.created","event_id":42})"};
}

tickets::WebhookClientOptions clientOptions(const std::string& url) {
  tickets::WebhookClientOptions o;
  o.url = url;
  o.connect_timeout = 1s;
  o.timeout = 2s;
  return o;
}

// Worker options for tests: tiny delays so retries happen within milliseconds.
tickets::OutboxOptions fastOptions() {
  tickets::OutboxOptions o;
  o.backoff_base = 10ms;
  o.backoff_cap = 40ms;
  o.jitter = 0.5;
  o.store_retry = 20ms;
  o.poll_interval = 60s;  // nothing in these tests relies on polling
  return o;
}

// ---------------------------------------------------------------------------------------------
// Signature.

TEST(WebhookSignature, HmacSha256MatchesRfc4231AndOpenSsl) {
  // RFC 4231, test case 2.
  EXPECT_EQ(util::hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(util::hmacSha256Hex("k", ""), opensslHmacHex("k", ""));
  EXPECT_EQ(tickets::webhookSignature("s3cret", 1700000000, "{}"),
            "sha256=" + opensslHmacHex("s3cret", "1700000000.{}"));
}

// ---------------------------------------------------------------------------------------------
// JSON.

TEST(WebhookJson, TicketShape) {
  store::Ticket t;
  static_cast<store::NewTicket&>(t) = sampleNewTicket();
  t.id = 7;
  t.status = store::TicketStatus::kInProgress;
  t.created_ms = 1'700'000'000'123;
  t.updated_ms = 1'700'000'060'000;
  t.delivery.state = store::DeliveryState::kPending;
  t.delivery.attempts = 2;
  t.delivery.last_error = "HTTP 503";
  t.delivery.next_attempt_ms = 1'700'000'100'000;

  const json j = tickets::ticketJson(t);
  EXPECT_EQ(j["id"], "IT-7");
  EXPECT_EQ(j["number"], 7);
  EXPECT_EQ(j["status"], "in_progress");
  EXPECT_EQ(j["priority"], "high");
  EXPECT_EQ(j["subject"], "VPN drops every hour");
  EXPECT_EQ(j["description"], "The VPN disconnects about every 60 minutes.");
  EXPECT_EQ(j["category"], "network");
  EXPECT_EQ(j["contact"], "alice@example.com");
  EXPECT_EQ(j["session_id"], "sess-1");
  EXPECT_EQ(j["created_at"], "2023-11-14T22:13:20.123000Z");
  EXPECT_EQ(j["updated_at"], "2023-11-14T22:14:20.000000Z");
  ASSERT_EQ(j["transcript"].size(), 1u);
  const json& e = j["transcript"][0];
  EXPECT_EQ(e["message_id"], "m-1");
  EXPECT_EQ(e["created_at"], "2023-11-14T22:13:20.123000Z");
  EXPECT_EQ(e["query"], "my vpn keeps dropping");
  EXPECT_EQ(e["response"], "Try reconnecting with the new profile [1].");
  EXPECT_EQ(e["answered"], true);
  // The shape chat transcripts use too: numbered where an answer cites them by number.
  const json source = {{"article_id", "vpn-101"},
                       {"subject", "VPN basics"},
                       {"category", "network"},
                       {"url", "https://kb/vpn-101"},
                       {"score", 0.75}};
  json numbered = source;
  numbered["n"] = 1;
  EXPECT_EQ(e["sources"], json::array({numbered}));
  EXPECT_EQ(j["articles_tried"], json::array({source}));
  EXPECT_EQ(j["delivery"], json({{"state", "pending"},
                                 {"attempts", 2},
                                 {"last_error", "HTTP 503"},
                                 {"next_attempt_at", "2023-11-14T22:15:00.000000Z"},
                                 {"delivered_at", nullptr}}));
}

TEST(WebhookJson, NullsForEmptyFieldsAndDeliveredState) {
  store::Ticket t;
  t.id = 1;
  t.delivery.state = store::DeliveryState::kDelivered;
  t.delivery.attempts = 1;
  t.delivery.next_attempt_ms = 123;  // ignored unless pending
  t.delivery.delivered_ms = 1'700'000'000'000;
  const json j = tickets::ticketJson(t);
  EXPECT_TRUE(j["session_id"].is_null());
  EXPECT_EQ(j["status"], "open");
  EXPECT_EQ(j["priority"], "normal");
  EXPECT_EQ(j["transcript"], json::array());
  EXPECT_EQ(j["articles_tried"], json::array());
  EXPECT_EQ(j["delivery"]["state"], "delivered");
  t.articles_tried = {{"kb-1", "Printing", "", "", 0.5}};
  EXPECT_EQ(tickets::ticketJson(t)["articles_tried"][0], json({{"article_id", "kb-1"},
                                                               {"subject", "Printing"},
                                                               {"category", nullptr},
                                                               {"url", nullptr},
                                                               {"score", 0.5}}));
  EXPECT_TRUE(j["delivery"]["last_error"].is_null());
  EXPECT_TRUE(j["delivery"]["next_attempt_at"].is_null());
  EXPECT_EQ(j["delivery"]["delivered_at"], "2023-11-14T22:13:20.000000Z");

  t.delivery = store::Delivery{};
  EXPECT_EQ(tickets::ticketJson(t)["delivery"]["state"], "none");
  t.delivery.state = store::DeliveryState::kFailed;
  t.delivery.last_error = "HTTP 410";
  EXPECT_EQ(tickets::ticketJson(t)["delivery"]["state"], "failed");
  EXPECT_TRUE(tickets::ticketJson(t)["delivery"]["delivered_at"].is_null());
}

TEST(WebhookJson, PayloadShape) {
  store::Ticket t;
  static_cast<store::NewTicket&>(t) = sampleNewTicket();
  t.id = 3;
  t.description = "bad byte \xFF here";  // must not make the delivery throw
  const store::OutboxEvent event{11, 3, "ticket.updated", 2, 1'700'000'000'000};
  const json p = json::parse(tickets::webhookPayload(event, t, 1'700'000'000'500));
  EXPECT_EQ(p["event"], "ticket.updated");
  EXPECT_EQ(p["event_id"], 11);
  EXPECT_EQ(p["delivery_attempt"], 3);
  EXPECT_EQ(p["sent_at"], "2023-11-14T22:13:20.500000Z");
  EXPECT_EQ(p["ticket"]["id"], "IT-3");
  EXPECT_EQ(p["ticket"]["description"], "bad byte \xEF\xBF\xBD here");
}

// ---------------------------------------------------------------------------------------------
// Client against a real receiver.

TEST(WebhookClient, PostsSignedJsonAndSucceedsOn2xx) {
  WebhookReceiver receiver({ReceiverAction::respond(201)});
  auto options = clientOptions(receiver.url("/hooks/tickets?token=abc"));
  options.secret = "s3cret";
  tickets::WebhookClient client(options);
  // Over 1 KiB: libcurl would send "Expect: 100-continue" and stall a second unless told not to.
  const tickets::WebhookMessage message{"ticket.created", 42,
                                        json({{"pad", std::string(4000, 'x')}}).dump()};
  const auto started = std::chrono::steady_clock::now();
  const tickets::SendResult result = client.send(message, std::stop_token());
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.http_status, 201);
  EXPECT_TRUE(result.error.empty());
  EXPECT_LT(since(started), 900ms);

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hooks/tickets?token=abc");
  EXPECT_EQ(r.body, message.body);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_TRUE(r.header("user-agent").starts_with("chatbot/")) << r.header("user-agent");
  EXPECT_EQ(r.header("x-chatbot-event"), "ticket.created");
  EXPECT_EQ(r.header("x-chatbot-delivery"), "42");
  EXPECT_FALSE(r.has("expect"));
  const std::int64_t timestamp = std::stoll(r.header("x-chatbot-timestamp"));
  EXPECT_NEAR(static_cast<double>(timestamp), static_cast<double>(std::time(nullptr)), 5.0);
  // What a receiver does: HMAC over "<timestamp>.<raw body>" with the shared secret.
  EXPECT_EQ(r.header("x-chatbot-signature"),
            "sha256=" + opensslHmacHex("s3cret", r.header("x-chatbot-timestamp") + "." + r.body));
  // A different timestamp (a replayed request with a fresh timestamp) does not verify.
  EXPECT_NE(r.header("x-chatbot-signature"),
            "sha256=" + opensslHmacHex("s3cret", std::to_string(timestamp + 1) + "." + r.body));
}

TEST(WebhookClient, UnsignedWithoutSecret) {
  WebhookReceiver receiver;
  tickets::WebhookClient client(clientOptions(receiver.url()));
  EXPECT_TRUE(client.send(sampleMessage(), std::stop_token()).ok());
  ASSERT_EQ(receiver.count(), 1u);
  EXPECT_FALSE(receiver.requests()[0].has("x-chatbot-signature"));
  EXPECT_TRUE(receiver.requests()[0].has("x-chatbot-timestamp"));
}

TEST(WebhookClient, ServerErrorIsTransientWithStatusAndBodyStart) {
  const std::string body = "database is down\n" + std::string(1000, 'z');
  WebhookReceiver receiver({ReceiverAction::respond(500, body)});
  tickets::WebhookClient client(clientOptions(receiver.url()));
  const tickets::SendResult result = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(result.failure, FailureKind::kTransient);
  EXPECT_EQ(result.http_status, 500);
  EXPECT_TRUE(result.error.starts_with("HTTP 500: database is down zzz")) << result.error;
  EXPECT_TRUE(result.error.ends_with("...")) << result.error;
  EXPECT_LE(result.error.size(), 220u);
  EXPECT_EQ(result.error.find('\n'), std::string::npos);
  EXPECT_FALSE(result.retry_after.has_value());
}

TEST(WebhookClient, TimeoutIsTransient) {
  WebhookReceiver receiver({ReceiverAction::stallFor(3s)});
  auto options = clientOptions(receiver.url());
  options.timeout = 300ms;
  tickets::WebhookClient client(options);
  const auto started = std::chrono::steady_clock::now();
  const tickets::SendResult result = client.send(sampleMessage(), std::stop_token());
  EXPECT_LT(since(started), 1500ms);
  EXPECT_EQ(result.failure, FailureKind::kTransient);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_NE(result.error.find("timed out"), std::string::npos) << result.error;
}

TEST(WebhookClient, ConnectionRefusedIsTransient) {
  tickets::WebhookClient client(clientOptions(
      "http://127.0.0.1:" + std::to_string(testing::closedLoopbackPort()) + "/hooks"));
  const tickets::SendResult result = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(result.failure, FailureKind::kTransient);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_NE(result.error.find("connect"), std::string::npos) << result.error;
}

TEST(WebhookClient, ClosedConnectionIsTransient) {
  WebhookReceiver receiver({ReceiverAction::close()});
  tickets::WebhookClient client(clientOptions(receiver.url()));
  const tickets::SendResult result = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(result.failure, FailureKind::kTransient);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_FALSE(result.error.empty());
}

TEST(WebhookClient, RetryAfterIsReadOn429And503Only) {
  WebhookReceiver receiver({ReceiverAction::respond(429, "slow down", {"Retry-After: 7"}),
                            ReceiverAction::respond(503, "", {retryAfterHttpDate(120)}),
                            ReceiverAction::respond(500, "", {"Retry-After: 9"})});
  tickets::WebhookClient client(clientOptions(receiver.url()));

  const auto r429 = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(r429.failure, FailureKind::kTransient);
  EXPECT_EQ(r429.error, "HTTP 429: slow down");
  ASSERT_TRUE(r429.retry_after.has_value());
  EXPECT_EQ(*r429.retry_after, std::chrono::seconds(7));

  const auto r503 = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(r503.error, "HTTP 503");
  ASSERT_TRUE(r503.retry_after.has_value());
  EXPECT_NEAR(static_cast<double>(r503.retry_after->count()), 120.0, 5.0);

  const auto r500 = client.send(sampleMessage(), std::stop_token());
  EXPECT_FALSE(r500.retry_after.has_value());
}

TEST(WebhookClient, ClientErrorsAreRejectedRedirectsPermanent) {
  WebhookReceiver receiver({ReceiverAction::respond(401, "{\"error\":\"bad signature\"}"),
                            ReceiverAction::respond(302, "", {"Location: https://elsewhere/"})});
  tickets::WebhookClient client(clientOptions(receiver.url()));
  const auto r401 = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(r401.failure, FailureKind::kRejected);
  EXPECT_EQ(r401.error, "HTTP 401: {\"error\":\"bad signature\"}");
  const auto r302 = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(r302.failure, FailureKind::kPermanent);
  EXPECT_EQ(receiver.count(), 2u);  // the redirect was not followed
  EXPECT_NE(r302.error.find("redirects are not followed"), std::string::npos) << r302.error;
}

TEST(WebhookClient, StatusClassification) {
  using tickets::classifyHttpStatus;
  for (const long s : {200L, 201L, 202L, 204L})
    EXPECT_EQ(classifyHttpStatus(s), FailureKind::kNone);
  for (const long s : {408L, 425L, 429L, 500L, 502L, 503L, 504L, 599L})
    EXPECT_EQ(classifyHttpStatus(s), FailureKind::kTransient) << s;
  for (const long s : {400L, 401L, 403L, 404L, 405L, 409L, 413L, 422L})
    EXPECT_EQ(classifyHttpStatus(s), FailureKind::kRejected) << s;
  for (const long s : {301L, 302L, 307L, 308L, 410L})
    EXPECT_EQ(classifyHttpStatus(s), FailureKind::kPermanent) << s;
}

TEST(WebhookClient, UnsupportedUrlIsPermanent) {
  tickets::WebhookClient client(clientOptions("ftp://127.0.0.1/hooks"));
  const auto result = client.send(sampleMessage(), std::stop_token());
  EXPECT_EQ(result.failure, FailureKind::kPermanent) << result.error;
}

TEST(WebhookClient, StopAbortsAnInFlightRequest) {
  WebhookReceiver receiver({ReceiverAction::stallFor(5s)});
  auto options = clientOptions(receiver.url());
  options.timeout = 10s;
  tickets::WebhookClient client(options);
  std::stop_source stop;
  std::thread stopper([&] {
    receiver.waitForRequests(1, 2s);
    stop.request_stop();
  });
  const auto started = std::chrono::steady_clock::now();
  const auto result = client.send(sampleMessage(), stop.get_token());
  const auto took = since(started);
  stopper.join();
  EXPECT_EQ(result.failure, FailureKind::kCancelled);
  EXPECT_LT(took, 2500ms);
}

// ---------------------------------------------------------------------------------------------
// Retry schedule (pure functions).

TEST(WebhookBackoff, DoublesFromBaseUpToCap) {
  const tickets::OutboxOptions o;  // defaults: 1 s doubling, 10 min cap
  EXPECT_EQ(tickets::nominalBackoff(1, o), 1s);
  EXPECT_EQ(tickets::nominalBackoff(2, o), 2s);
  EXPECT_EQ(tickets::nominalBackoff(3, o), 4s);
  EXPECT_EQ(tickets::nominalBackoff(10, o), 512s);
  EXPECT_EQ(tickets::nominalBackoff(11, o), 10min);
  EXPECT_EQ(tickets::nominalBackoff(12, o), 10min);
  EXPECT_EQ(tickets::nominalBackoff(1'000'000, o), 10min);  // no overflow
}

TEST(WebhookBackoff, JitterStaysWithinBounds) {
  tickets::OutboxOptions o;
  o.jitter = 0.5;
  for (std::int64_t attempt = 1; attempt <= 14; ++attempt) {
    const milliseconds nominal = tickets::nominalBackoff(attempt, o);
    for (const double unit : {0.0, 0.25, 0.5, 0.999999, 1.0, -3.0, 7.0}) {
      const milliseconds d = tickets::backoffDelay(attempt, o, unit);
      EXPECT_LE(d, nominal) << attempt << " " << unit;
      EXPECT_GE(d, nominal / 2) << attempt << " " << unit;
    }
  }
  EXPECT_EQ(tickets::backoffDelay(3, o, 0.0), 4s);
  EXPECT_EQ(tickets::backoffDelay(3, o, 0.5), 3s);
  o.jitter = 0;
  EXPECT_EQ(tickets::backoffDelay(3, o, 0.9), 4s);
}

TEST(WebhookBackoff, RetryDecisionByKindAttemptAndRetryAfter) {
  tickets::OutboxOptions o;
  o.jitter = 0;
  tickets::SendResult r;
  r.failure = FailureKind::kTransient;
  EXPECT_EQ(tickets::retryDelay(r, 1, o, 0.5), 1s);
  EXPECT_EQ(tickets::retryDelay(r, 11, o, 0.5), 10min);
  EXPECT_EQ(tickets::retryDelay(r, 12, o, 0.5), std::nullopt);  // the 12th attempt was the last

  r.failure = FailureKind::kRejected;
  EXPECT_EQ(tickets::retryDelay(r, 7, o, 0.5), 64s);
  EXPECT_EQ(tickets::retryDelay(r, 8, o, 0.5), std::nullopt);
  o.max_attempts = 3;  // the smaller limit wins
  EXPECT_EQ(tickets::retryDelay(r, 3, o, 0.5), std::nullopt);
  o.max_attempts = 12;

  r.failure = FailureKind::kPermanent;
  EXPECT_EQ(tickets::retryDelay(r, 1, o, 0.5), std::nullopt);
  r.failure = FailureKind::kCancelled;
  EXPECT_EQ(tickets::retryDelay(r, 1, o, 0.5), std::nullopt);

  // Retry-After is a floor, itself capped.
  r.failure = FailureKind::kTransient;
  r.retry_after = std::chrono::seconds(30);
  EXPECT_EQ(tickets::retryDelay(r, 1, o, 0.5), 30s);
  EXPECT_EQ(tickets::retryDelay(r, 11, o, 0.5), 10min);  // the backoff is longer already
  r.retry_after = std::chrono::hours(5);
  EXPECT_EQ(tickets::retryDelay(r, 1, o, 0.5), 1h);
  r.retry_after = std::chrono::seconds(30);
  EXPECT_EQ(tickets::retryDelay(r, 12, o, 0.5), std::nullopt);  // it does not add attempts
}

// ---------------------------------------------------------------------------------------------
// OutboxWorker end to end: SqliteStore + WebhookClient + WebhookReceiver.

struct WorkerFixture {
  std::shared_ptr<FlakyStore> store = std::make_shared<FlakyStore>();

  std::shared_ptr<tickets::TicketNotifier> client(const std::string& url,
                                                  milliseconds timeout = 2s) {
    auto o = clientOptions(url);
    o.secret = "s3cret";
    o.timeout = timeout;
    return std::make_shared<tickets::WebhookClient>(o);
  }
  std::int64_t createTicket(bool notify = true) {
    return store->createTicket(sampleNewTicket(), util::epochMsNow(), notify).ticket.id;
  }
  store::Delivery delivery(std::int64_t id) { return store->ticket(id)->delivery; }
};

TEST(OutboxWorker, DeliversOnFourthAttemptAfterThreeFailures) {
  WebhookReceiver receiver({ReceiverAction::respond(500, "boom"), ReceiverAction::close(),
                            ReceiverAction::respond(503, "busy")});
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  tickets::OutboxWorker worker(f.store, f.client(receiver.url()), fastOptions());

  ASSERT_TRUE(eventually([&] { return f.delivery(id).state == store::DeliveryState::kDelivered; }))
      << "attempts: " << f.delivery(id).attempts << ", last error: " << f.delivery(id).last_error;
  const store::Delivery d = f.delivery(id);
  EXPECT_EQ(d.attempts, 4);
  EXPECT_TRUE(d.last_error.empty());
  EXPECT_GT(d.delivered_ms, 0);

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const json body = json::parse(requests[i].body);
    EXPECT_EQ(body["event"], "ticket.created");
    EXPECT_EQ(body["delivery_attempt"], static_cast<int>(i) + 1);
    EXPECT_EQ(body["ticket"]["id"], "IT-" + std::to_string(id));
    EXPECT_EQ(requests[i].header("x-chatbot-delivery"), body["event_id"].dump());  // stable id
    EXPECT_EQ(requests[i].header("x-chatbot-signature"),
              "sha256=" + opensslHmacHex("s3cret", requests[i].header("x-chatbot-timestamp") + "." +
                                                       requests[i].body));
  }
  // The ticket JSON the API shows.
  const json shown = tickets::ticketJson(*f.store->ticket(id));
  EXPECT_EQ(shown["delivery"]["state"], "delivered");
  EXPECT_EQ(shown["delivery"]["attempts"], 4);
}

TEST(OutboxWorker, GivesUpAfterMaxAttemptsWithLastError) {
  WebhookReceiver receiver({}, ReceiverAction::respond(502, "bad gateway"));
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  auto options = fastOptions();
  options.max_attempts = 4;
  tickets::OutboxWorker worker(f.store, f.client(receiver.url()), options);

  ASSERT_TRUE(eventually([&] { return f.delivery(id).state == store::DeliveryState::kFailed; }));
  const store::Delivery d = f.delivery(id);
  EXPECT_EQ(d.attempts, 4);
  EXPECT_EQ(d.last_error, "HTTP 502: bad gateway");
  EXPECT_FALSE(f.store->nextDueTime().has_value());
  std::this_thread::sleep_for(100ms);  // nothing more is sent
  EXPECT_EQ(receiver.count(), 4u);
  const json shown = tickets::ticketJson(*f.store->ticket(id));
  EXPECT_EQ(shown["delivery"]["state"], "failed");
  EXPECT_EQ(shown["delivery"]["last_error"], "HTTP 502: bad gateway");
  EXPECT_TRUE(shown["delivery"]["next_attempt_at"].is_null());
}

TEST(OutboxWorker, RejectionsAreRetriedOnlyAFewTimesAndPermanentOnesNot) {
  WebhookReceiver rejecting({}, ReceiverAction::respond(401, "unauthorized"));
  WebhookReceiver gone({}, ReceiverAction::respond(410, "gone"));
  WorkerFixture f;
  const std::int64_t a = f.createTicket();
  auto options = fastOptions();
  options.max_rejected_attempts = 3;
  {
    tickets::OutboxWorker worker(f.store, f.client(rejecting.url()), options);
    ASSERT_TRUE(eventually([&] { return f.delivery(a).state == store::DeliveryState::kFailed; }));
  }
  EXPECT_EQ(rejecting.count(), 3u);
  EXPECT_EQ(f.delivery(a).last_error, "HTTP 401: unauthorized");

  const std::int64_t b = f.createTicket();
  tickets::OutboxWorker worker(f.store, f.client(gone.url()), options);
  ASSERT_TRUE(eventually([&] { return f.delivery(b).state == store::DeliveryState::kFailed; }));
  EXPECT_EQ(gone.count(), 1u);
  EXPECT_EQ(f.delivery(b).attempts, 1);
}

TEST(OutboxWorker, RetryAfterPostponesTheNextAttempt) {
  WebhookReceiver receiver({ReceiverAction::respond(429, "", {"Retry-After: 30"})});
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  tickets::OutboxWorker worker(f.store, f.client(receiver.url()), fastOptions());
  ASSERT_TRUE(eventually([&] { return f.delivery(id).attempts == 1; }));
  const store::Delivery d = f.delivery(id);
  EXPECT_EQ(d.state, store::DeliveryState::kPending);
  EXPECT_GE(d.next_attempt_ms - util::epochMsNow(), 28'000);
  EXPECT_EQ(receiver.count(), 1u);
}

TEST(OutboxWorker, StopReturnsPromptlyDuringALongBackoff) {
  WebhookReceiver receiver({ReceiverAction::respond(500)});
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  auto options = fastOptions();
  options.backoff_base = 60s;
  options.backoff_cap = 10min;
  auto worker = std::make_unique<tickets::OutboxWorker>(f.store, f.client(receiver.url()), options);
  ASSERT_TRUE(eventually([&] { return f.delivery(id).attempts == 1; }));
  std::this_thread::sleep_for(50ms);  // let it settle into the wait
  const auto started = std::chrono::steady_clock::now();
  worker->stop();
  EXPECT_LT(since(started), 200ms);
  worker.reset();  // the destructor after stop() is a no-op
  EXPECT_EQ(f.delivery(id).state, store::DeliveryState::kPending);
}

TEST(OutboxWorker, StopAbortsAnInFlightAttemptWithoutCountingIt) {
  WebhookReceiver receiver({ReceiverAction::stallFor(5s)});
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  tickets::OutboxWorker worker(f.store, f.client(receiver.url(), 10s), fastOptions());
  ASSERT_TRUE(receiver.waitForRequests(1, 2s));
  const auto started = std::chrono::steady_clock::now();
  worker.stop();
  EXPECT_LT(since(started), 2s);
  const store::Delivery d = f.delivery(id);
  EXPECT_EQ(d.state, store::DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 0);  // sent first thing after the next start
}

TEST(OutboxWorker, WakeTriggersImmediateDelivery) {
  WebhookReceiver receiver;
  WorkerFixture f;
  tickets::OutboxWorker worker(f.store, f.client(receiver.url()),
                               fastOptions());  // polls every 60 s
  std::this_thread::sleep_for(100ms);           // the worker found nothing and sleeps

  const std::int64_t first = f.createTicket();
  const auto started = std::chrono::steady_clock::now();
  worker.wake();
  ASSERT_TRUE(
      eventually([&] { return f.delivery(first).state == store::DeliveryState::kDelivered; }, 2s));
  EXPECT_LT(since(started), 1s);

  // Without wake() an event waits for the poll (60 s here): wake() is what made it immediate.
  const std::int64_t second = f.createTicket();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(f.delivery(second).state, store::DeliveryState::kPending);
  worker.wake();
  EXPECT_TRUE(
      eventually([&] { return f.delivery(second).state == store::DeliveryState::kDelivered; }, 2s));
  EXPECT_EQ(receiver.count(), 2u);
}

TEST(OutboxWorker, StoreErrorsDoNotKillTheThread) {
  WebhookReceiver receiver;
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  f.store->fail_due_events = 3;
  tickets::OutboxWorker worker(f.store, f.client(receiver.url()), fastOptions());
  ASSERT_TRUE(eventually([&] { return f.delivery(id).state == store::DeliveryState::kDelivered; }));
  EXPECT_EQ(f.store->fail_due_events.load(), 0);
  EXPECT_EQ(f.delivery(id).attempts, 1);
}

TEST(OutboxWorker, AnEventWhoseTicketIsMissingIsGivenUpAtOnce) {
  WebhookReceiver receiver;
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  f.store->missing_ticket = id;
  {
    tickets::OutboxWorker worker(f.store, f.client(receiver.url()), fastOptions());
    ASSERT_TRUE(eventually([&] { return !f.store->nextDueTime().has_value(); }));
  }
  EXPECT_EQ(receiver.count(), 0u);  // nothing could be sent for it
  f.store->missing_ticket = 0;
  const store::Delivery d = f.delivery(id);
  EXPECT_EQ(d.state, store::DeliveryState::kFailed);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_error, "ticket IT-" + std::to_string(id) + " does not exist");
}

TEST(OutboxWorker, ANewWorkerResumesPendingEvents) {
  WorkerFixture f;
  const std::int64_t id = f.createTicket();
  {
    // Nothing listens: attempts fail until this worker is stopped (a process that exits).
    const std::string refused =
        "http://127.0.0.1:" + std::to_string(testing::closedLoopbackPort()) + "/hooks";
    tickets::OutboxWorker worker(f.store, f.client(refused), fastOptions());
    ASSERT_TRUE(eventually([&] { return f.delivery(id).attempts >= 2; }));
  }
  const store::Delivery before = f.delivery(id);
  EXPECT_EQ(before.state, store::DeliveryState::kPending);
  EXPECT_NE(before.last_error.find("connect"), std::string::npos) << before.last_error;

  WebhookReceiver receiver;
  tickets::OutboxWorker worker(f.store, f.client(receiver.url()), fastOptions());
  ASSERT_TRUE(eventually([&] { return f.delivery(id).state == store::DeliveryState::kDelivered; }));
  EXPECT_EQ(f.delivery(id).attempts, before.attempts + 1);
  ASSERT_EQ(receiver.count(), 1u);
  EXPECT_EQ(json::parse(receiver.requests()[0].body)["delivery_attempt"], before.attempts + 1);
}

TEST(OutboxWorker, UpdatedTicketIsSentWithItsCurrentState) {
  WebhookReceiver receiver;
  WorkerFixture f;
  const std::int64_t id = f.createTicket(/*notify=*/false);
  f.store->updateTicketStatus(id, store::TicketStatus::kResolved, util::epochMsNow(), true);
  tickets::OutboxWorker worker(f.store, f.client(receiver.url()), fastOptions());
  ASSERT_TRUE(receiver.waitForRequests(1, 5s));
  const auto r = receiver.requests()[0];
  EXPECT_EQ(r.header("x-chatbot-event"), "ticket.updated");
  EXPECT_EQ(json::parse(r.body)["ticket"]["status"], "resolved");
}

}  // namespace
}  // namespace chatbot
