#include "net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <utility>

namespace chatbot::net {

namespace {

#ifdef CHATBOT_VERSION
constexpr const char* kUserAgent = "chatbot/" CHATBOT_VERSION;
#else
constexpr const char* kUserAgent = "chatbot/1.0";
#endif

// Owns one easy handle. Invariant: `handle` is freed exactly once, by the destructor.
class EasyHandle {
 public:
  EasyHandle() : handle_(curl_easy_init()) {}
  ~EasyHandle() { curl_easy_cleanup(handle_); }
  EasyHandle(const EasyHandle&) = delete;
  EasyHandle& operator=(const EasyHandle&) = delete;
  CURL* get() const { return handle_; }

 private:
  CURL* handle_;
};

// Owns a libcurl header list; libcurl only borrows it, so it must outlive curl_easy_perform.
class HeaderList {
 public:
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(list_); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  // False when out of memory (the list is unchanged).
  bool add(const std::string& line) {
    curl_slist* next = curl_slist_append(list_, line.c_str());
    if (next == nullptr) return false;
    list_ = next;
    return true;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// State of one perform(), shared with the libcurl callbacks; lives on the calling thread's stack.
struct Exchange {
  const HttpRequest& request;
  HttpResponse& response;
  bool body_started = false;
  bool stopped_by_caller = false;  // a sink callback returned false
};

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  addHeaderLine(std::string_view(data, size * count), x.response.heads);
  return size * count;
}

// Returning less than `length` makes libcurl stop with CURLE_WRITE_ERROR.
std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& x = *static_cast<Exchange*>(user);
  const std::size_t length = size * count;
  const BodySink* sink = x.request.sink;
  if (sink == nullptr) {
    const std::size_t room =
        x.request.max_body_bytes - std::min(x.response.body.size(), x.request.max_body_bytes);
    x.response.body.append(data, std::min(length, room));
    if (length > room) x.response.body_truncated = true;
    return length;
  }
  if (!x.body_started) {
    x.body_started = true;
    if (sink->on_start && !sink->on_start(x.response.heads)) {
      x.stopped_by_caller = true;
      return 0;
    }
  }
  if (!sink->on_chunk(std::string_view(data, length))) {
    x.stopped_by_caller = true;
    return 0;
  }
  return length;
}

// Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
int onProgress(void* user, curl_off_t down_total, curl_off_t down, curl_off_t up_total,
               curl_off_t up) {
  const auto& x = *static_cast<Exchange*>(user);
  const auto count = [](curl_off_t n) {
    return static_cast<std::uint64_t>(std::max<curl_off_t>(n, 0));
  };
  const TransferProgress progress{count(down), count(down_total), count(up), count(up_total)};
  return x.request.on_progress(progress) ? 0 : 1;
}

Transport classify(CURLcode code, bool stopped_by_caller) {
  switch (code) {
    case CURLE_OK:
      return Transport::kOk;
    case CURLE_OPERATION_TIMEDOUT:
      return Transport::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return Transport::kConnectFailed;
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Transport::kConnectionLost;
    case CURLE_SSL_CONNECT_ERROR:
      return Transport::kTlsHandshake;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return Transport::kTlsUntrusted;
    case CURLE_ABORTED_BY_CALLBACK:
      return Transport::kAborted;
    case CURLE_WRITE_ERROR:
      return stopped_by_caller ? Transport::kAborted : Transport::kOther;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
      return Transport::kUnusableRequest;
    default:
      return Transport::kOther;
  }
}

void setMethodAndBody(CURL* h, const HttpRequest& request) {
  switch (request.method) {
    case Method::kGet:
      break;
    case Method::kHead:
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
      break;
    case Method::kPost:
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      break;
  }
}

// False when the header list cannot be built (out of memory).
bool buildHeaders(const HttpRequest& request, HeaderList& headers) {
  // libcurl adds "Expect: 100-continue" to bodies over 1 KiB and then waits up to a second for a
  // 100 that many servers never send.
  if (request.method == Method::kPost && !headers.add("Expect:")) return false;
  return std::all_of(request.headers.begin(), request.headers.end(),
                     [&](const std::string& line) { return headers.add(line); });
}

void setTransferOptions(CURL* h, const HttpRequest& request) {
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: callers are threaded
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  if (request.stall_timeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.stall_timeout.count()));
  }
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  if (request.follow_redirects) curl_easy_setopt(h, CURLOPT_MAXREDIRS, request.max_redirects);
  if (!request.bearer_token.empty()) {
    // libcurl sends credentials set this way to the URL's host only, never to the host a redirect
    // leads to (unless CURLOPT_UNRESTRICTED_AUTH, which is never set here).
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, request.bearer_token.c_str());
  }
}

void setCallbacks(CURL* h, Exchange& x) {
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
  if (x.request.on_progress) {
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
}

// What libcurl knows once the exchange is over.
void readOutcome(CURL* h, CURLcode code, const char* curl_error, const Exchange& x,
                 HttpResponse& response) {
  response.transport = classify(code, x.stopped_by_caller);
  if (code != CURLE_OK) {
    response.error = curl_error[0] != '\0' ? curl_error : curl_easy_strerror(code);
  }
  response.status = response.head().status;
  if (const char* url = nullptr;
      curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url != nullptr) {
    response.final_url = url;
  }
  // libcurl parses both forms (delta-seconds and HTTP-date); 0 means absent (or "now").
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    response.retry_after = std::chrono::seconds(retry_after);
  }
}

}  // namespace

const ResponseHead& HttpResponse::head() const {
  static const ResponseHead kNone;
  return heads.empty() ? kNone : heads.back();
}

HttpClient::HttpClient() {
  static std::once_flag curl_initialised;
  std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpResponse HttpClient::perform(const HttpRequest& request) const {
  HttpResponse response;
  EasyHandle curl;
  HeaderList headers;
  if (curl.get() == nullptr || !buildHeaders(request, headers)) {
    response.transport = Transport::kSetupFailed;
    response.error = "cannot initialise libcurl";
    return response;
  }
  Exchange x{request, response};
  CURL* h = curl.get();
  setTransferOptions(h, request);
  setMethodAndBody(h, request);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  setCallbacks(h, x);
  char curl_error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);
  const CURLcode code = curl_easy_perform(h);
  readOutcome(h, code, curl_error, x, response);
  return response;
}

}  // namespace chatbot::net
