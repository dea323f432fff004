#pragma once
// One small HTTP(S) client over libcurl, shared by everything that talks to another server (the
// model downloader, the ticket webhook, remote model servers). One call = one request/response
// exchange; the outcome is a value (HttpResponse), never an exception: a transport failure is
// Transport::k..., an HTTP error status is just `status`. Deciding what is worth a retry, and
// when, is the caller's business.
//
// Thread-safety: HttpClient holds no per-request state. One instance may be used from any number
// of threads at once; each perform() uses its own libcurl handle, which it creates and frees, and
// runs the request's callbacks on the calling thread before it returns. Construct the first
// HttpClient before other threads use libcurl: its constructor runs curl_global_init (once per
// process), which older libcurl versions do not make thread-safe against other libcurl calls.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/response_head.h"

namespace chatbot::net {

enum class Method { kGet, kHead, kPost };

// How the exchange ended at the transport level (below HTTP).
enum class Transport {
  kOk,               // a whole response arrived (any status)
  kTimeout,          // connect timeout, total timeout or stall limit
  kConnectFailed,    // name resolution or TCP connect failed (refused, unreachable)
  kConnectionLost,   // connected, but the peer closed or reset before the response was complete
                     // (an empty reply, a body cut short)
  kTlsHandshake,     // the TLS handshake failed (often passing: a restarting peer)
  kTlsUntrusted,     // the peer's certificate was refused, or the local TLS setup is unusable
  kAborted,          // a callback of the request (body sink or progress) asked to stop
  kUnusableRequest,  // malformed URL, a protocol other than http/https, or an option this libcurl
                     // lacks: the same request can never work
  kSetupFailed,      // libcurl could not be initialised (out of memory)
  kOther,            // anything else libcurl reports (too many redirects, ...)
};

// Bytes moved so far; totals are 0 while unknown.
struct TransferProgress {
  std::uint64_t downloaded = 0;
  std::uint64_t download_total = 0;
  std::uint64_t uploaded = 0;
  std::uint64_t upload_total = 0;
};

// Receives the final response's body as it arrives, instead of HttpResponse::body (for files and
// streamed output). Returning false from either function aborts the exchange (Transport::kAborted).
struct BodySink {
  // Called once, before the first chunk, with the heads received so far: followed redirects first,
  // the response the body belongs to last. Not called for a response whose body is empty (its head
  // is in HttpResponse::heads). May be empty.
  std::function<bool(std::span<const ResponseHead> heads)> on_start;
  std::function<bool(std::string_view chunk)> on_chunk;  // required
};

struct HttpRequest {
  Method method = Method::kGet;
  std::string url;  // http or https only
  // Extra "Name: value" lines. "Name:" (no value) removes a header libcurl would add itself.
  std::vector<std::string> headers;
  std::string body;  // sent with kPost (without "Expect: 100-continue"); ignored otherwise
  // Sent as "Authorization: Bearer <token>" to the URL's own host only: never to another host a
  // redirect leads to (a CDN must not see the token). Empty: none.
  std::string bearer_token;

  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds timeout{0};   // the whole exchange, connect included; 0: none
  std::chrono::seconds stall_timeout{0};  // fail when under 1 byte/s arrives this long; 0: never
  bool follow_redirects = false;          // false: a 3xx is the response (see its Location)
  long max_redirects = 10;

  // Without a sink: how much of the body HttpResponse::body keeps; the rest is read and dropped.
  std::size_t max_body_bytes = std::numeric_limits<std::size_t>::max();
  const BodySink* sink = nullptr;  // not owned; must outlive perform()
  // Called about once a second even while no bytes move, and more often while they do; false
  // aborts. So a cancel flag checked here stops an exchange within about a second.
  std::function<bool(const TransferProgress&)> on_progress;
};

struct HttpResponse {
  Transport transport = Transport::kOk;
  std::string error;  // libcurl's message when transport != kOk, else empty
  long status = 0;    // the final response's status; 0: no response
  // Every response head received, in order: followed redirects (and interim 1xx), the final last.
  std::vector<ResponseHead> heads;
  std::string final_url;  // after redirects
  std::string body;       // without a sink: the body's first max_body_bytes bytes
  bool body_truncated = false;
  // The final response's Retry-After (delta-seconds or HTTP-date) when it names a time ahead.
  std::optional<std::chrono::seconds> retry_after;

  bool transportOk() const { return transport == Transport::kOk; }
  // The final response's head; an empty one when none arrived.
  const ResponseHead& head() const;
};

class HttpClient {
 public:
  HttpClient();  // runs curl_global_init once per process (see the thread-safety note above)
  HttpResponse perform(const HttpRequest& request) const;
};

}  // namespace chatbot::net
