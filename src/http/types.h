#pragma once
// HTTP message types shared by the server, the router and the API layer.
// clang-format off: must stay first
#include <utility>  // Boost 1.74 Asio needs it before its own headers under g++ 12
// clang-format on

#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"

namespace chatbot::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;

class Deferral;

// Per-request facts that handlers and the access log share. Owned by the connection, lives for
// one request.
struct RequestContext {
  std::string request_id;
  // The client's address: the connection's peer, or behind TRUSTED_PROXIES the address they
  // forwarded (api/middleware/authentication.cpp).
  std::string remote_address;
  // Who is calling; anonymous until the authentication middleware finds credentials.
  auth::Identity identity;
  // The pattern of the route that matched ("/api/v1/tickets/{ticket_id}"); empty when none did.
  // Points into the route table, which lives as long as the server (no copy per request).
  std::string_view route;
  // Headers for the reply, whatever it turns out to be (an answer, an error, a deferred one):
  // e.g. the RateLimit fields. Set before the route answers; the pipeline adds them.
  std::vector<std::pair<std::string, std::string>> reply_headers;
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();
  std::map<std::string, std::string> path_params;  // from "{name}" segments of the route
  std::map<std::string, double> stage_ms;          // filled by handlers, written to the access log
  std::vector<std::string> redacted;  // kinds of secret removed from the request (never values)
  // The connection's deferral while the handler runs (null outside a server, e.g. in tests that
  // call handlers directly). Handlers that answer later take it once, then stop using the context.
  Deferral* deferral = nullptr;
  bool client_gone = false;  // the client left before a deferred reply was finished
  std::string
      stream_error;  // the error code a streamed reply ended with (its status was sent before)
};

}  // namespace chatbot::http
