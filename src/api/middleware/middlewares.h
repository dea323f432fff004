#pragma once
// The standard middlewares of the HTTP pipeline, in the order app/ installs them:
//   RequestId        assigns X-Request-ID (or accepts the client's), echoes it on every reply
//   ClientAddress    the client's address, behind TRUSTED_PROXIES the forwarded one
//   AccessLog        one JSON log line per finished request, with the stage timings
//   SecurityHeaders  nosniff, frame and referrer policies, a default CSP, no-store
//   Cors             answers preflights (OPTIONS), adds Access-Control-* for allowed origins
//   Authentication   the caller's identity from its API key or token (authentication.h)
// Rate limiting and metrics go in as further middlewares (see ARCHITECTURE.md).
// Each is immutable after construction and safe to call from any thread.
#include <string>
#include <vector>

#include "api/pipeline.h"
#include "net/client_address.h"

namespace chatbot::api {

class RequestId final : public Middleware {
 public:
  std::optional<http::Response> onRequest(const http::Request& request,
                                          http::RequestContext& context) const override;
  void onReply(const RequestSummary& request, http::Response& response,
               const http::RequestContext& context) const override;
};

// Sets context.remote_address to the client's address: the connection's peer, or behind
// `trusted_proxies` (TRUSTED_PROXIES) the address they vouch for in X-Forwarded-For.
class ClientAddress final : public Middleware {
 public:
  // `trusted_proxies` was validated with the configuration (parse errors throw here).
  explicit ClientAddress(const std::string& trusted_proxies);
  std::optional<http::Response> onRequest(const http::Request& request,
                                          http::RequestContext& context) const override;

 private:
  net::TrustedProxies trusted_;
};

class AccessLog final : public Middleware {
 public:
  void onFinished(const RequestSummary& request, unsigned status,
                  const http::RequestContext& context) const override;
};

class SecurityHeaders final : public Middleware {
 public:
  void onReply(const RequestSummary& request, http::Response& response,
               const http::RequestContext& context) const override;
};

class Cors final : public Middleware {
 public:
  // `allowed_origins`: exact origins, or "*" for any; empty: no CORS headers at all. `router`
  // tells preflights which methods a path has.
  Cors(std::vector<std::string> allowed_origins, const http::Router& router);
  std::optional<http::Response> onRequest(const http::Request& request,
                                          http::RequestContext& context) const override;
  void onReply(const RequestSummary& request, http::Response& response,
               const http::RequestContext& context) const override;

 private:
  bool allows(std::string_view origin) const;
  http::Response preflight(const http::Request& request, http::RequestContext& context) const;

  const std::vector<std::string> allowed_;
  const bool any_origin_;
  const http::Router& router_;
};

}  // namespace chatbot::api
