#pragma once
// Routes come in modules (chat, conversations, tickets, system) that register themselves on the
// router. A route parses and validates the request, calls one service operation and serialises
// the result; it never touches the transport or the store. What the modules share is RouteEnv.
#include <functional>
#include <memory>
#include <string>

#include "api/deferred_reply.h"
#include "api/errors.h"
#include "api/pipeline.h"
#include "api/routes/route_table.h"
#include "api/serving_state.h"
#include "auth/api_keys.h"
#include "auth/audit_log.h"
#include "auth/authenticator.h"
#include "auth/key_ring.h"
#include "config/config.h"
#include "http/router.h"
#include "security/credential_filter.h"
#include "support/conversation_service.h"
#include "support/storage_guard.h"
#include "support/support_service.h"
#include "support/ticket_service.h"

namespace chatbot::api {

// The services behind the routes. Every pointer may be null in library use without a database:
// the routes that need one then answer 503 storage_unavailable.
struct Services {
  std::shared_ptr<ServingState> serving;  // never null once given to an Application
  std::shared_ptr<const support::SupportService> support;
  std::shared_ptr<const support::ConversationService> conversations;
  std::shared_ptr<const support::TicketService> tickets;
  // Who is calling (api/middleware/authentication.h); null: a fresh one that accepts no
  // credential, so every caller is anonymous.
  std::shared_ptr<const auth::Authenticator> authenticator;
  // API keys for the admin routes, and the ring to reload after a change through them; null
  // without a database.
  std::shared_ptr<const auth::KeyService> keys;
  std::shared_ptr<auth::KeyRing> key_ring;
  // The audit trail (api/middleware/audit.h) and its pages for admins; null without a database.
  std::shared_ptr<auth::AuditLog> audit;
  std::shared_ptr<store::AccessStore> access_store;
  // Refuses writes that add data before the disk fills (MAX_DATABASE_MB, MIN_FREE_DISK_MB); null
  // without a database.
  std::shared_ptr<const support::StorageGuard> storage;
  // What lexical retrieval is, for /health before the index is open (the index then says itself).
  std::string lexical_engine;
};

// Everything a route module may use. Owned by the Application, which outlives its routes.
struct RouteEnv {
  const config::Config& config;
  const Pipeline& pipeline;
  const Services& services;
  const security::CredentialFilter& filter;  // for free text of feedback and tickets

  // Takes the connection's deferral (see DeferredReply::defer).
  std::shared_ptr<DeferredReply> defer(const http::Request& request,
                                       http::RequestContext& context) const;

  // Runs `operation` on a support (store) thread, then answers with `serialize(value, version)`
  // or with the operation's error. Throws ApiError 503 at once when there is no database.
  template <class T>
  http::Response offload(const http::Request& request, http::RequestContext& context,
                         std::function<Result<T>()> operation,
                         std::function<http::Response(T&, unsigned)> serialize) const {
    const support::SupportService& runner = requireSupport();
    auto reply = defer(request, context);
    runner.post([reply = std::move(reply), operation = std::move(operation),
                 serialize = std::move(serialize)] {
      try {
        Result<T> result = operation();
        if (!result) return reply->fail(result.error());
        reply->complete(serialize(result.value(), reply->version()));
      } catch (const std::exception& e) {
        logUnexpected(reply->context(), e);
        reply->fail(Error::internal());
      }
    });
    return {};
  }

  static void logUnexpected(const http::RequestContext& context, const std::exception& e);
  // The support runtime, or ApiError 503 when this server runs without a database.
  const support::SupportService& requireSupport() const;
  // For routes that add data (answers, feedback, tickets, notes): ApiError 503 storage_full while
  // the storage guard refuses writes. Reads, deletions and status changes never call it.
  void admitWrite() const;
};

class RouteModule {
 public:
  virtual ~RouteModule() = default;
  virtual void addRoutes(RouteTable& routes) const = 0;
};

// Binds a member function of a module as a router handler.
template <class Module>
http::Handler bindRoute(const Module* module,
                        http::Response (Module::*handler)(const http::Request&,
                                                          http::RequestContext&) const) {
  return [module, handler](const http::Request& request, http::RequestContext& context) {
    return (module->*handler)(request, context);
  };
}

// JSON reply with the given status.
http::Response jsonResponse(http::Status status, const nlohmann::json& body, unsigned version = 11);

}  // namespace chatbot::api
