#pragma once
// Sends ticket events to the external ticket system: one HTTP POST of a JSON payload per attempt.
// Retrying is not done here but by the OutboxWorker, which owns the schedule and the durable state;
// a send only reports what happened and whether trying again could help.
//
// Wire format (what a receiver must implement):
//   POST <TICKET_WEBHOOK_URL>
//   Content-Type: application/json
//   User-Agent: chatbot/<version>
//   X-Chatbot-Event: ticket.created | ticket.updated | ticket.note_added
//   X-Chatbot-Delivery: <event id>          the same on every retry of one event
//   X-Chatbot-Timestamp: <unix seconds>     when this attempt was sent
//   X-Chatbot-Signature: sha256=<hex>       only when a secret is configured
// The signature is lower-case hex HMAC-SHA256(secret, "<X-Chatbot-Timestamp>.<raw body>"). Because
// the timestamp is signed too, a receiver that (1) recomputes it over the raw bytes it received,
// (2) compares in constant time and (3) rejects timestamps more than a few minutes from its own
// clock cannot be fed a captured request again later (a replay; inside that window, the
// de-duplication below catches it). Delivery is at least once: an attempt that timed out may still
// have been processed, so receivers should treat a repeated X-Chatbot-Delivery as a duplicate.
// Events of one ticket may arrive out of order (a failed "ticket.created" is retried after a later
// "ticket.updated" went through), and every payload carries the whole ticket as it is at send
// time: receivers should upsert by ticket id, keeping the newest "updated_at". Any 2xx
// acknowledges the event.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "net/http_client.h"

namespace chatbot::tickets {

struct WebhookMessage {
  std::string event;          // "ticket.created", "ticket.updated" or "ticket.note_added"
  std::int64_t event_id = 0;  // the outbox event's id
  std::string body;           // JSON (tickets::webhookPayload)
};

// How a failed send should be treated.
enum class FailureKind {
  kNone,       // success
  kTransient,  // network error, timeout, 408, 425, 429, 5xx: retry on the full schedule
  kRejected,   // any other 4xx: the receiver answered and refused. Usually a misconfiguration
               // (wrong secret, URL not deployed yet, auth proxy mid-rotation) that can clear up,
               // so it is retried, but only a few times: the same payload gets the same answer
  kPermanent,  // retrying cannot help: a redirect (not followed: a signed POST must not be
               // re-sent elsewhere, and 301/302 would turn it into a GET), 410 Gone, a malformed
               // or unsupported URL
  kCancelled,  // stopped by the caller's stop token; the attempt does not count
};

struct SendResult {
  FailureKind failure = FailureKind::kNone;
  long http_status = 0;  // 0: no HTTP response
  // For logs and the ticket's last_error: "HTTP 503: <first ~200 bytes of the body>" or the
  // network error. Valid UTF-8, one line. Empty on success.
  std::string error;
  // The receiver's Retry-After on 429 or 503 (delta-seconds or HTTP-date), if any.
  std::optional<std::chrono::seconds> retry_after;
  std::chrono::milliseconds elapsed{0};

  bool ok() const { return failure == FailureKind::kNone; }
};

// The transport, abstract so that another one (a queue, a different API) can replace HTTP.
// Implementations must be safe to call from the worker thread while another thread requests stop.
class TicketNotifier {
 public:
  virtual ~TicketNotifier() = default;
  // Sends one message. Never throws for transport problems (they are results); blocks for at most
  // about the configured timeout, and returns kCancelled soon after `stop` is requested.
  virtual SendResult send(const WebhookMessage& message, std::stop_token stop) = 0;
};

struct WebhookClientOptions {
  std::string url;     // TICKET_WEBHOOK_URL, http or https
  std::string secret;  // TICKET_WEBHOOK_SECRET; empty: requests are not signed
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{15'000};  // the whole request, connect included
};

// The HTTP implementation, over net::HttpClient (libcurl). Thread-safe: each send is its own
// exchange, so concurrent sends are fine (the worker makes one at a time). Construct it on the
// main thread before other threads use libcurl: constructing its HttpClient runs curl_global_init
// once per process.
class WebhookClient final : public TicketNotifier {
 public:
  explicit WebhookClient(WebhookClientOptions options);
  SendResult send(const WebhookMessage& message, std::stop_token stop) override;

 private:
  // The signed POST of one attempt sent at `timestamp` (unix seconds).
  net::HttpRequest requestFor(const WebhookMessage& message, std::int64_t timestamp) const;

  WebhookClientOptions options_;
  net::HttpClient http_;
};

// The X-Chatbot-Signature value for a body sent at `timestamp` (unix seconds): "sha256=<hex>".
std::string webhookSignature(const std::string& secret, std::int64_t timestamp,
                             const std::string& body);

// The classification above for an HTTP status that is not 2xx.
FailureKind classifyHttpStatus(long status);

}  // namespace chatbot::tickets
