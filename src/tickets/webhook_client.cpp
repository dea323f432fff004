#include "tickets/webhook_client.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "util/hash.h"
#include "util/text.h"
#include "util/utf8.h"

namespace chatbot::tickets {

namespace {

// How much of an error response's body goes into the error text (and so into the ticket's
// last_error and the logs): enough for a receiver's error message, not a whole HTML page.
constexpr std::size_t kBodySnippetBytes = 200;

// The start of a response body as one line of valid UTF-8: a receiver's error message is outside
// text, and it ends up in JSON (the ticket's last_error) and in log lines. `body` holds one byte
// more than shown, to know whether "..." is due.
std::string bodySnippet(const std::string& body) {
  const std::string_view raw(body.data(), std::min(body.size(), kBodySnippetBytes));
  std::string text;
  util::appendDecodableUtf8(raw, text);  // a character cut at the end is left out
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  text = util::collapseWhitespace(text);
  if (!text.empty() && body.size() > kBodySnippetBytes) text += "...";
  return text;
}

FailureKind classifyTransport(net::Transport transport) {
  switch (transport) {
    case net::Transport::kOk:
      return FailureKind::kNone;
    case net::Transport::kUnusableRequest:
      return FailureKind::kPermanent;  // the configured URL cannot work, now or later
    default:
      // DNS, connect, TLS, reset, timeout, empty reply: the receiver or the network may recover.
      // (A TLS certificate problem usually gets fixed on the receiver's side, too.)
      return FailureKind::kTransient;
  }
}

std::int64_t unixSecondsNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What an HTTP answer that is not 2xx means for the sender.
void describeHttpFailure(const net::HttpResponse& response, SendResult& result) {
  result.error = "HTTP " + std::to_string(result.http_status);
  if (result.http_status >= 300 && result.http_status < 400) {
    result.error += " (redirects are not followed: set the webhook URL to the final address)";
  }
  if (const std::string snippet = bodySnippet(response.body); !snippet.empty()) {
    result.error += ": " + snippet;
  }
  if (result.http_status == 429 || result.http_status == 503) {
    result.retry_after = response.retry_after;
  }
}

}  // namespace

std::string webhookSignature(const std::string& secret, std::int64_t timestamp,
                             const std::string& body) {
  return "sha256=" + util::hmacSha256Hex(secret, std::to_string(timestamp) + "." + body);
}

FailureKind classifyHttpStatus(long status) {
  if (status >= 200 && status < 300) return FailureKind::kNone;
  if (status >= 300 && status < 400) return FailureKind::kPermanent;
  if (status == 408 || status == 425 || status == 429) return FailureKind::kTransient;
  if (status == 410) return FailureKind::kPermanent;
  if (status >= 400 && status < 500) return FailureKind::kRejected;
  return FailureKind::kTransient;  // 5xx, and anything non-standard
}

WebhookClient::WebhookClient(WebhookClientOptions options) : options_(std::move(options)) {}

net::HttpRequest WebhookClient::requestFor(const WebhookMessage& message,
                                           std::int64_t timestamp) const {
  net::HttpRequest request;
  request.method = net::Method::kPost;
  request.url = options_.url;
  request.body = message.body;
  request.headers = {"Content-Type: application/json", "X-Chatbot-Event: " + message.event,
                     "X-Chatbot-Delivery: " + std::to_string(message.event_id),
                     "X-Chatbot-Timestamp: " + std::to_string(timestamp)};
  if (!options_.secret.empty()) {
    request.headers.push_back("X-Chatbot-Signature: " +
                              webhookSignature(options_.secret, timestamp, message.body));
  }
  request.follow_redirects = false;  // see FailureKind::kPermanent
  request.connect_timeout = options_.connect_timeout;
  request.timeout = options_.timeout;
  // Keep one byte more than shown, to know whether "..." is due; the rest is read and dropped (the
  // whole request stays bounded by the timeout).
  request.max_body_bytes = kBodySnippetBytes + 1;
  return request;
}

SendResult WebhookClient::send(const WebhookMessage& message, std::stop_token stop) {
  const auto started = std::chrono::steady_clock::now();
  SendResult result;
  const auto finish = [&]() -> SendResult {
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return std::move(result);
  };
  if (stop.stop_requested()) {
    result.failure = FailureKind::kCancelled;
    result.error = "cancelled";
    return finish();
  }
  net::HttpRequest request = requestFor(message, unixSecondsNow());
  // Polled about once a second even when no bytes move: a stop request ends an in-flight request
  // within about a second instead of waiting for the timeout.
  request.on_progress = [&stop](const net::TransferProgress&) { return !stop.stop_requested(); };
  const net::HttpResponse response = http_.perform(request);
  if (response.transport == net::Transport::kAborted && stop.stop_requested()) {
    result.failure = FailureKind::kCancelled;
    result.error = "cancelled";
    return finish();
  }
  if (!response.transportOk()) {
    // Never the URL itself in the text: webhook URLs often carry a token. libcurl's message names
    // the host and port at most, e.g. "Operation timed out after 300 milliseconds with 0 bytes
    // received" or "Failed to connect to 10.0.0.5 port 443 after 3 ms: Couldn't connect to server".
    result.failure = classifyTransport(response.transport);
    result.error = response.error;
    return finish();
  }
  result.http_status = response.status;
  result.failure = classifyHttpStatus(result.http_status);
  if (!result.ok()) describeHttpFailure(response, result);
  return finish();
}

}  // namespace chatbot::tickets
