// net::HttpClient against a real loopback server (tests/unit/webhook_receiver.h), and the parsers
// of response heads it shares with its callers.
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "net/response_head.h"
#include "unit/webhook_receiver.h"

namespace chatbot {
namespace {

using namespace std::chrono_literals;
using net::Transport;
using testing::ReceiverAction;
using testing::retryAfterHttpDate;
using testing::WebhookReceiver;

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

net::HttpRequest get(const std::string& url) {
  net::HttpRequest request;
  request.url = url;
  request.connect_timeout = 2s;
  request.timeout = 10s;
  return request;
}

// Bytes that do not repeat in short cycles, so a lost or doubled chunk shows.
std::string patternedBytes(std::size_t size) {
  std::string out(size, '\0');
  std::uint32_t x = 12345;
  for (auto& c : out) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

TEST(HttpClient, ReturnsStatusHeadersAndBody) {
  WebhookReceiver receiver(
      {ReceiverAction::respond(201, "hello", {"ETag: \"abc\"", "X-Thing: 1"})});
  const net::HttpResponse response = net::HttpClient().perform(get(receiver.url("/things?x=1")));
  ASSERT_EQ(response.transport, Transport::kOk) << response.error;
  EXPECT_TRUE(response.error.empty());
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "hello");
  EXPECT_FALSE(response.body_truncated);
  ASSERT_EQ(response.heads.size(), 1u);
  EXPECT_EQ(response.head().field("etag"), "\"abc\"");
  EXPECT_EQ(response.head().field("x-thing"), "1");
  EXPECT_EQ(response.head().contentLength(), 5u);
  EXPECT_FALSE(response.head().has("location"));
  EXPECT_EQ(response.final_url, receiver.url("/things?x=1"));
  EXPECT_FALSE(response.retry_after.has_value());
  ASSERT_EQ(receiver.count(), 1u);
  EXPECT_EQ(receiver.requests()[0].method, "GET");
  EXPECT_EQ(receiver.requests()[0].target, "/things?x=1");
}

TEST(HttpClient, PostSendsItsHeadersBodyAndTokenWithoutExpect) {
  WebhookReceiver receiver;
  net::HttpRequest request = get(receiver.url());
  request.method = net::Method::kPost;
  request.body = std::string(4000, 'x');  // over 1 KiB: libcurl would add Expect: 100-continue
  request.headers = {"Content-Type: text/plain", "X-Custom: yes"};
  request.bearer_token = "tok-123";
  const auto started = std::chrono::steady_clock::now();
  const net::HttpResponse response = net::HttpClient().perform(request);
  EXPECT_EQ(response.transport, Transport::kOk) << response.error;
  EXPECT_LT(since(started), 900ms);  // no second lost waiting for a 100 Continue
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& seen = requests[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body, request.body);
  EXPECT_EQ(seen.header("content-type"), "text/plain");
  EXPECT_EQ(seen.header("x-custom"), "yes");
  EXPECT_EQ(seen.header("authorization"), "Bearer tok-123");
  EXPECT_TRUE(seen.header("user-agent").starts_with("chatbot/")) << seen.header("user-agent");
  EXPECT_FALSE(seen.has("expect"));
}

TEST(HttpClient, HeadReadsNoBody) {
  WebhookReceiver receiver({ReceiverAction::respond(200, "a body")});
  net::HttpRequest request = get(receiver.url());
  request.method = net::Method::kHead;
  const net::HttpResponse response = net::HttpClient().perform(request);
  EXPECT_EQ(response.transport, Transport::kOk) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.head().contentLength(), 6u);
  EXPECT_EQ(receiver.requests().at(0).method, "HEAD");
}

TEST(HttpClient, TimeoutIsReportedAsTimeout) {
  WebhookReceiver receiver({ReceiverAction::stallFor(3s)});
  net::HttpRequest request = get(receiver.url());
  request.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const net::HttpResponse response = net::HttpClient().perform(request);
  EXPECT_LT(since(started), 1500ms);
  EXPECT_EQ(response.transport, Transport::kTimeout);
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("timed out"), std::string::npos) << response.error;
}

TEST(HttpClient, ConnectionRefusedIsAConnectFailure) {
  const net::HttpResponse response = net::HttpClient().perform(
      get("http://127.0.0.1:" + std::to_string(testing::closedLoopbackPort()) + "/"));
  EXPECT_EQ(response.transport, Transport::kConnectFailed) << response.error;
  EXPECT_EQ(response.status, 0);
  EXPECT_NE(response.error.find("connect"), std::string::npos) << response.error;
}

TEST(HttpClient, AConnectionClosedWithoutAnswerIsLost) {
  WebhookReceiver receiver({ReceiverAction::close()});
  const net::HttpResponse response = net::HttpClient().perform(get(receiver.url()));
  EXPECT_EQ(response.transport, Transport::kConnectionLost) << response.error;
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.error.empty());
}

TEST(HttpClient, OnlyHttpAndHttpsUrlsAreUsable) {
  const net::HttpClient client;
  EXPECT_EQ(client.perform(get("ftp://127.0.0.1/file")).transport, Transport::kUnusableRequest);
  EXPECT_EQ(client.perform(get("file:///etc/hostname")).transport, Transport::kUnusableRequest);
  EXPECT_EQ(client.perform(get("http://[not a url")).transport, Transport::kUnusableRequest);
}

TEST(HttpClient, TheSinkReceivesTheWholeBodyInChunks) {
  const std::string body = patternedBytes(1'000'000);
  WebhookReceiver receiver({ReceiverAction::respond(200, body)});
  std::vector<long> start_statuses;
  std::string received;
  int chunks = 0;
  const net::BodySink sink{[&](std::span<const net::ResponseHead> heads) {
                             start_statuses.push_back(heads.back().status);
                             return true;
                           },
                           [&](std::string_view chunk) {
                             received += chunk;
                             ++chunks;
                             return true;
                           }};
  net::HttpRequest request = get(receiver.url());
  request.sink = &sink;
  const net::HttpResponse response = net::HttpClient().perform(request);
  ASSERT_EQ(response.transport, Transport::kOk) << response.error;
  EXPECT_EQ(start_statuses, std::vector<long>{200});
  EXPECT_GT(chunks, 1);
  EXPECT_TRUE(received == body) << received.size() << " bytes received";
  EXPECT_TRUE(response.body.empty());
}

TEST(HttpClient, TheSinkCanAbort) {
  const std::string body = patternedBytes(1'000'000);
  WebhookReceiver receiver(
      {ReceiverAction::respond(200, body), ReceiverAction::respond(200, body)});
  std::size_t received = 0;
  const net::BodySink stop_after_first{{}, [&](std::string_view chunk) {
                                         received += chunk.size();
                                         return false;
                                       }};
  net::HttpRequest request = get(receiver.url());
  request.sink = &stop_after_first;
  const net::HttpResponse response = net::HttpClient().perform(request);
  EXPECT_EQ(response.transport, Transport::kAborted) << response.error;
  EXPECT_GT(received, 0u);
  EXPECT_LT(received, body.size());

  int chunks = 0;
  const net::BodySink refuse_at_start{[](std::span<const net::ResponseHead>) { return false; },
                                      [&](std::string_view) {
                                        ++chunks;
                                        return true;
                                      }};
  request.sink = &refuse_at_start;
  EXPECT_EQ(net::HttpClient().perform(request).transport, Transport::kAborted);
  EXPECT_EQ(chunks, 0);
}

TEST(HttpClient, TheProgressCallbackCanAbortAWait) {
  WebhookReceiver receiver({ReceiverAction::stallFor(5s)});
  net::HttpRequest request = get(receiver.url());
  const auto started = std::chrono::steady_clock::now();
  int calls = 0;
  request.on_progress = [&](const net::TransferProgress&) {
    ++calls;
    return since(started) < 200ms;
  };
  const net::HttpResponse response = net::HttpClient().perform(request);
  EXPECT_EQ(response.transport, Transport::kAborted) << response.error;
  EXPECT_GT(calls, 0);
  EXPECT_LT(since(started), 2500ms);
}

TEST(HttpClient, BodiesOverTheLimitAreCutAndFlagged) {
  WebhookReceiver receiver({ReceiverAction::respond(500, std::string(1000, 'z'))});
  net::HttpRequest request = get(receiver.url());
  request.max_body_bytes = 10;
  const net::HttpResponse response = net::HttpClient().perform(request);
  EXPECT_EQ(response.transport, Transport::kOk) << response.error;
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, std::string(10, 'z'));
  EXPECT_TRUE(response.body_truncated);
}

TEST(HttpClient, RetryAfterIsParsedInBothForms) {
  WebhookReceiver receiver({ReceiverAction::respond(429, "", {"Retry-After: 7"}),
                            ReceiverAction::respond(503, "", {retryAfterHttpDate(120)})});
  const net::HttpClient client;
  const net::HttpResponse seconds = client.perform(get(receiver.url()));
  EXPECT_EQ(seconds.status, 429);
  ASSERT_TRUE(seconds.retry_after.has_value());
  EXPECT_EQ(*seconds.retry_after, std::chrono::seconds(7));
  const net::HttpResponse date = client.perform(get(receiver.url()));
  EXPECT_EQ(date.status, 503);
  ASSERT_TRUE(date.retry_after.has_value());
  EXPECT_NEAR(static_cast<double>(date.retry_after->count()), 120.0, 5.0);
}

TEST(HttpClient, ARedirectIsTheResponseWhenNotFollowed) {
  WebhookReceiver receiver({ReceiverAction::respond(302, "", {"Location: /elsewhere"})});
  const net::HttpResponse response = net::HttpClient().perform(get(receiver.url()));
  EXPECT_EQ(response.transport, Transport::kOk) << response.error;
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.head().field("location"), "/elsewhere");
  EXPECT_EQ(receiver.count(), 1u);
}

TEST(HttpClient, AFollowedRedirectKeepsEveryHeadAndTheTokenStaysWithItsHost) {
  WebhookReceiver cdn({ReceiverAction::respond(200, "file bytes", {"ETag: \"cdn-1\""})});
  // Another host name for the same loopback address: libcurl must not send the token there.
  const std::string cdn_url = "http://localhost:" + cdn.url("/file").substr(17);
  WebhookReceiver origin(
      {ReceiverAction::respond(302, "", {"Location: " + cdn_url, "X-Linked-Etag: \"sha\""})});
  net::HttpRequest request = get(origin.url("/resolve/file"));
  request.follow_redirects = true;
  request.bearer_token = "secret-token";
  const net::HttpResponse response = net::HttpClient().perform(request);
  ASSERT_EQ(response.transport, Transport::kOk) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "file bytes");
  EXPECT_EQ(response.final_url, cdn_url);
  ASSERT_EQ(response.heads.size(), 2u);
  EXPECT_EQ(response.heads[0].status, 302);
  EXPECT_EQ(response.heads[0].field("x-linked-etag"), "\"sha\"");
  EXPECT_EQ(response.heads[1].field("etag"), "\"cdn-1\"");
  ASSERT_EQ(origin.count(), 1u);
  EXPECT_EQ(origin.requests()[0].header("authorization"), "Bearer secret-token");
  ASSERT_EQ(cdn.count(), 1u);
  EXPECT_FALSE(cdn.requests()[0].has("authorization"));
}

TEST(HttpClient, TooManyRedirectsStop) {
  WebhookReceiver receiver({}, ReceiverAction::respond(302, "", {"Location: /again"}));
  net::HttpRequest request = get(receiver.url());
  request.follow_redirects = true;
  request.max_redirects = 2;
  const net::HttpResponse response = net::HttpClient().perform(request);
  EXPECT_EQ(response.transport, Transport::kOther) << response.error;
  EXPECT_EQ(receiver.count(), 3u);
}

// --- parsers ---------------------------------------------------------------------------------

TEST(HttpClientHeads, StatusLinesStartHeadsAndFieldsGoToTheNewest) {
  std::vector<net::ResponseHead> heads;
  net::addHeaderLine("X-Before: ignored\r\n", heads);
  EXPECT_TRUE(heads.empty());
  for (const char* line :
       {"HTTP/1.1 302 Found\r\n", "Location: /cdn\r\n", "\r\n", "HTTP/2 200\r\n",
        "Content-Length:  42 \r\n", "ETAG: \"a\"\r\n", "etag: \"b\"\r\n", "\r\n"}) {
    net::addHeaderLine(line, heads);
  }
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_EQ(heads[0].status, 302);
  EXPECT_EQ(heads[0].field("location"), "/cdn");
  EXPECT_EQ(heads[1].status, 200);
  EXPECT_FALSE(heads[1].has("location"));
  EXPECT_EQ(heads[1].contentLength(), 42u);
  EXPECT_EQ(heads[1].field("etag"), "\"b\"");  // a repeated field keeps its last value
}

TEST(HttpClientHeads, ContentRangeAndNumbers) {
  const auto range = net::parseContentRange("bytes 100-199/1000");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->first, 100u);
  EXPECT_EQ(range->total, 1000u);
  const auto unsatisfied = net::parseContentRange(" bytes */1000 ");
  ASSERT_TRUE(unsatisfied.has_value());
  EXPECT_FALSE(unsatisfied->first.has_value());
  EXPECT_EQ(unsatisfied->total, 1000u);
  EXPECT_EQ(net::parseContentRange("bytes 0-9/*")->total, 0u);
  EXPECT_FALSE(net::parseContentRange("items 0-9/10").has_value());
  EXPECT_FALSE(net::parseContentRange("bytes 0-9").has_value());
  EXPECT_FALSE(net::parseContentRange("bytes x-9/10").has_value());
  EXPECT_EQ(net::parseDecimal(" 12 "), 12u);
  EXPECT_FALSE(net::parseDecimal("12a").has_value());
  EXPECT_FALSE(net::parseDecimal("").has_value());
  EXPECT_FALSE(net::parseDecimal("-1").has_value());
}

}  // namespace
}  // namespace chatbot
