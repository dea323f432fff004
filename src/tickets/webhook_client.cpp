#include "tickets/webhook_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include "util/hash.h"
#include "util/text.h"
#include "util/utf8.h"

namespace chatbot::tickets {

namespace {

#ifdef CHATBOT_VERSION
constexpr const char* kUserAgent = "chatbot/" CHATBOT_VERSION;
#else
constexpr const char* kUserAgent = "chatbot/1.0";
#endif

// How much of an error response's body goes into the error text (and so into the ticket's
// last_error and the logs): enough for a receiver's error message, not a whole HTML page.
constexpr std::size_t kBodySnippetBytes = 200;

// State shared with the libcurl callbacks of one request; lives on the sending thread's stack.
struct Transfer {
  const std::stop_token* stop = nullptr;
  std::string body;  // the first kBodySnippetBytes + 1 bytes of the response body
};

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& x = *static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  // Keep one byte more than shown, to know whether "..." is due; the rest is read and dropped
  // (the whole request stays bounded by CURLOPT_TIMEOUT_MS).
  const std::size_t room = kBodySnippetBytes + 1 - std::min(x.body.size(), kBodySnippetBytes + 1);
  x.body.append(data, std::min(length, room));
  return length;
}

// libcurl calls this about once a second even when no bytes move, and far more often while they
// do; returning non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK. So a stop request
// ends an in-flight request within about a second instead of waiting for the timeout.
int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto& x = *static_cast<Transfer*>(user);
  return x.stop->stop_requested() ? 1 : 0;
}

// The start of a response body as one line of valid UTF-8: a receiver's error message is outside
// text, and it ends up in JSON (the ticket's last_error) and in log lines.
std::string bodySnippet(const Transfer& x) {
  const std::string_view raw(x.body.data(), std::min(x.body.size(), kBodySnippetBytes));
  std::string text;
  util::appendDecodableUtf8(raw, text);  // a character cut at the end is left out
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  text = util::collapseWhitespace(text);
  if (!text.empty() && x.body.size() > kBodySnippetBytes) text += "...";
  return text;
}

FailureKind classifyCurlError(CURLcode code) {
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
      return FailureKind::kPermanent;  // the configured URL cannot work, now or later
    default:
      // DNS, connect, TLS, reset, timeout, empty reply: the receiver or the network may recover.
      // (A TLS certificate problem usually gets fixed on the receiver's side, too.)
      return FailureKind::kTransient;
  }
}

struct CurlEasy {
  CURL* handle = curl_easy_init();
  ~CurlEasy() { curl_easy_cleanup(handle); }
  CurlEasy() = default;
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;
};

struct CurlHeaders {
  curl_slist* list = nullptr;
  ~CurlHeaders() { curl_slist_free_all(list); }
  CurlHeaders() = default;
  CurlHeaders(const CurlHeaders&) = delete;
  CurlHeaders& operator=(const CurlHeaders&) = delete;
  bool add(const std::string& header) {
    curl_slist* next = curl_slist_append(list, header.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

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

WebhookClient::WebhookClient(WebhookClientOptions options) : options_(std::move(options)) {
  // Not thread-safe in older libcurl, hence once, from the constructor (called at start-up). The
  // model downloader has its own once-call; libcurl counts them.
  static std::once_flag curl_initialised;
  std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
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

  CurlEasy curl;
  CurlHeaders headers;
  const std::int64_t timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  bool headers_ok = headers.add("Content-Type: application/json") &&
                    headers.add("X-Chatbot-Event: " + message.event) &&
                    headers.add("X-Chatbot-Delivery: " + std::to_string(message.event_id)) &&
                    headers.add("X-Chatbot-Timestamp: " + std::to_string(timestamp)) &&
                    // No "Expect: 100-continue" (libcurl adds it to bodies over 1 KiB and then
                    // waits up to a second for a 100 that many receivers never send).
                    headers.add("Expect:");
  if (headers_ok && !options_.secret.empty()) {
    headers_ok = headers.add("X-Chatbot-Signature: " +
                             webhookSignature(options_.secret, timestamp, message.body));
  }
  if (curl.handle == nullptr || !headers_ok) {
    result.failure = FailureKind::kTransient;
    result.error = "cannot initialise libcurl";
    return finish();
  }

  Transfer x;
  x.stop = &stop;
  CURL* h = curl.handle;
  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, message.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(message.body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(h, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // see FailureKind::kPermanent
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);        // timeouts without SIGALRM: we are threaded
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  char curl_error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);

  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_ABORTED_BY_CALLBACK && stop.stop_requested()) {
    result.failure = FailureKind::kCancelled;
    result.error = "cancelled";
    return finish();
  }
  if (code != CURLE_OK) {
    // Never the URL itself in the text: webhook URLs often carry a token. libcurl's message names
    // the host and port at most.
    // libcurl's own text is the more specific one, e.g. "Operation timed out after 300
    // milliseconds with 0 bytes received" or "Failed to connect to 10.0.0.5 port 443 after 3 ms:
    // Couldn't connect to server".
    result.failure = classifyCurlError(code);
    result.error = curl_error[0] != '\0' ? curl_error : curl_easy_strerror(code);
    return finish();
  }

  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.http_status);
  result.failure = classifyHttpStatus(result.http_status);
  if (result.ok()) return finish();
  result.error = "HTTP " + std::to_string(result.http_status);
  if (result.http_status >= 300 && result.http_status < 400) {
    result.error += " (redirects are not followed: set the webhook URL to the final address)";
  }
  if (const std::string snippet = bodySnippet(x); !snippet.empty()) result.error += ": " + snippet;
  if (result.http_status == 429 || result.http_status == 503) {
    // libcurl parses both forms (delta-seconds and HTTP-date); 0 means absent (or "now").
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
      result.retry_after = std::chrono::seconds(retry_after);
    }
  }
  return finish();
}

}  // namespace chatbot::tickets
