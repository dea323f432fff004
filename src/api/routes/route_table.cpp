#include "api/routes/route_table.h"

#include "api/errors.h"

namespace chatbot::api {

namespace {

[[noreturn]] void needIdentity() {
  throw ApiError({ErrorKind::kUnauthenticated, "authentication_required",
                  "This needs an identity: send 'Authorization: Bearer <API key or token>' or "
                  "'X-API-Key: <API key>'. An admin creates keys with `chatbot keys create`."});
}

[[noreturn]] void needRole(auth::Role role, const auth::Identity& identity) {
  throw ApiError({ErrorKind::kForbidden, "forbidden",
                  "This needs the " + std::string(toString(role)) + " role; " +
                      (identity.display_name.empty() ? std::string("this identity")
                                                     : "'" + identity.display_name + "'") +
                      " has the " + std::string(toString(identity.role)) + " role."});
}

}  // namespace

std::string_view toString(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kCaller:
      return "caller";
    case Access::kIdentified:
      return "identified";
    case Access::kAgent:
      return "agent";
    case Access::kAdmin:
      return "admin";
  }
  return "admin";
}

void authorize(Access access, const auth::Identity& identity, bool open_chat) {
  switch (access) {
    case Access::kPublic:
      return;
    case Access::kCaller:
      if (!open_chat && !identity.authenticated()) needIdentity();
      return;
    case Access::kIdentified:
      if (!identity.authenticated()) needIdentity();
      return;
    case Access::kAgent:
    case Access::kAdmin: {
      if (!identity.authenticated()) needIdentity();
      const auth::Role role = access == Access::kAgent ? auth::Role::kAgent : auth::Role::kAdmin;
      if (!identity.atLeast(role)) needRole(role, identity);
      return;
    }
  }
}

RouteTable::RouteTable(http::Router& router, bool open_chat, const RateLimits* limits)
    : router_(router), open_chat_(open_chat), limits_(limits) {}

void RouteTable::add(http::Verb verb, const std::string& pattern, Access access,
                     http::Handler handler, Budget budget) {
  specs_.push_back({verb, pattern, access, budget});
  // The handler owns its pattern: context.route views it for as long as the router lives.
  router_.add(
      verb, pattern,
      [access, budget, open_chat = open_chat_, limits = limits_, pattern,
       handler = std::move(handler)](const http::Request& request, http::RequestContext& context) {
        context.route = pattern;
        authorize(access, context.identity, open_chat);
        if (limits != nullptr) limits->admit(budget, context);
        return handler(request, context);
      });
}

}  // namespace chatbot::api
