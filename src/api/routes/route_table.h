#pragma once
// Every route is registered with who may call it (Access), in one table: the router gets the
// handler wrapped in the check, the OpenAPI document its security requirement, and tests the
// whole list. A route module cannot add a route without saying who may use it.
//
// Thread-safety: built before serving; the wrapped handlers only read it.
#include <string>
#include <string_view>
#include <vector>

#include "api/rate_limits.h"
#include "auth/identity.h"
#include "http/router.h"

namespace chatbot::api {

enum class Access {
  kPublic,      // anyone, whatever CHAT_ACCESS says: /, /health, /docs, /openapi.json
  kCaller,      // CHAT_ACCESS=open: anyone, anonymous callers as employees without an identity;
                // CHAT_ACCESS=authenticated: any identity. Chat, own conversations, own tickets.
  kIdentified,  // any identity (employee or above), never anonymous: e.g. listing own tickets
  kAgent,       // the service desk: agents and admins
  kAdmin,       // admins only
};
std::string_view toString(Access access);  // "public", "caller", "identified", "agent", "admin"

struct RouteSpec {
  http::Verb verb;
  std::string pattern;
  Access access;
  Budget budget = Budget::kNone;  // the rate limit it spends (api/rate_limits.h)
};

// Whether `identity` may call a route with `access`; throws ApiError 401 (no identity where one
// is needed; WWW-Authenticate) or 403 (an identity without the role) otherwise.
void authorize(Access access, const auth::Identity& identity, bool open_chat);

class RouteTable {
 public:
  // `open_chat`: CHAT_ACCESS=open. `limits` (may be null: no limits) must outlive the router.
  RouteTable(http::Router& router, bool open_chat, const RateLimits* limits);

  // The handler runs once the caller passed `access` and, for a `budget`, its rate limit.
  void add(http::Verb verb, const std::string& pattern, Access access, http::Handler handler,
           Budget budget = Budget::kNone);

  const std::vector<RouteSpec>& specs() const noexcept { return specs_; }
  bool openChat() const noexcept { return open_chat_; }

 private:
  http::Router& router_;
  const bool open_chat_;
  const RateLimits* const limits_;
  std::vector<RouteSpec> specs_;
};

}  // namespace chatbot::api
