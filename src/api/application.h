#pragma once
// The HTTP application: request ids, CORS, routing, error mapping, security headers and the access
// log around the endpoint handlers. Thread-safe: handle() runs concurrently on server threads;
// readiness changes are published under a mutex.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/chat_reply.h"
#include "api/chat_request.h"
#include "api/deferred_reply.h"
#include "api/static_assets.h"
#include "config/config.h"
#include "http/router.h"
#include "http/server.h"
#include "rag/chat_service.h"
#include "security/credential_filter.h"
#include "store/store.h"
#include "support/support_service.h"

namespace chatbot::api {

class Application final : public http::RequestHandler {
 public:
  // `store` keeps conversations, feedback and tickets; null: those endpoints answer 503 (library
  // use without persistence; `chatbot serve` always has one). `outbox_wake` is called after a
  // ticket change was committed so that its webhook is delivered at once (may be empty).
  explicit Application(config::Config config, std::shared_ptr<store::Store> store = nullptr,
                       std::function<void()> outbox_wake = {});
  // Drops the chat service first, so that answers still in flight finish (their observers use the
  // reply writer and this Application) before anything else goes.
  ~Application() override;

  // Called once the knowledge base is indexed; from then on the chat endpoint serves.
  void setReady(std::shared_ptr<const rag::ChatService> service);
  // Called when start-up failed for good; /health reports the reason, chat answers 503.
  void setFailed(std::string reason);

  http::Response handle(http::Request&& request, const http::ConnectionInfo& connection,
                        http::Deferral& deferral) override;
  http::Response protocolError(http::Status status, std::string_view detail,
                               const http::ConnectionInfo& connection) override;

  const http::Router& router() const noexcept { return router_; }
  const std::string& openapiDocument() const noexcept { return openapi_; }

  // The request target without its query string.
  static std::string_view targetPath(std::string_view target) { return target.substr(0, target.find('?')); }

  // How often a chat stream with nothing to say sends an SSE comment. Proxies and load balancers
  // commonly close connections idle for 30-60 s, and a client can only tell a slow model from a
  // dead server by seeing bytes arrive; a few seconds keeps both happy at a negligible cost.
  static constexpr std::chrono::seconds kSseHeartbeatInterval{5};

 private:
  friend class DeferredReply;
  void registerRoutes();
  http::Response dispatch(const http::Request& request, http::RequestContext& context);
  http::Response preflight(const http::Request& request, http::RequestContext& context);
  // `origin`: the request's Origin header, empty when it has none.
  void decorate(http::Response& response, std::string_view origin, const http::RequestContext& context) const;
  // `method` and `path` are empty for requests that could not be parsed.
  void logAccess(std::string_view method, std::string_view path, unsigned status,
                 const http::RequestContext& context) const;
  // Takes the connection's deferral: the endpoint answers through the returned reply, from any
  // thread, and must not throw or touch `context` afterwards (it moved into the reply).
  std::shared_ptr<DeferredReply> deferReply(const http::Request& request, http::RequestContext& context) const;

  // Endpoints (endpoints.cpp).
  http::Response root(const http::Request&, http::RequestContext&) const;
  http::Response health(const http::Request&, http::RequestContext&) const;
  http::Response chat(const http::Request&, http::RequestContext&) const;
  http::Response chatStream(const http::Request&, http::RequestContext&) const;
  http::Response chatHealth(const http::Request&, http::RequestContext&) const;
  http::Response openapi(const http::Request&, http::RequestContext&) const;
  http::Response docs(const http::Request&, http::RequestContext&) const;
  // Conversations, feedback, statistics and tickets (support_endpoints.cpp, ticket_endpoints.cpp).
  http::Response getSession(const http::Request&, http::RequestContext&) const;
  http::Response deleteSession(const http::Request&, http::RequestContext&) const;
  http::Response feedback(const http::Request&, http::RequestContext&) const;
  http::Response stats(const http::Request&, http::RequestContext&) const;
  http::Response createTicket(const http::Request&, http::RequestContext&) const;
  http::Response getTicket(const http::Request&, http::RequestContext&) const;
  http::Response listTickets(const http::Request&, http::RequestContext&) const;
  http::Response updateTicket(const http::Request&, http::RequestContext&) const;

  // Runs `work` on a store thread and answers with what it returns (ApiError: its error reply;
  // store::StoreError: 503). Throws ApiError 503 at once when there is no store.
  http::Response offload(const http::Request& request, http::RequestContext& context,
                         std::function<http::Response(unsigned version)> work) const;
  const support::SupportService& support() const;

  // What serving needs once the KB is ready, published as one unit. Observers of answers in flight
  // never own it (the last owner on a service thread would destroy the service there, joining
  // itself); they share only the writer. Work queued on the support threads may own it: those
  // threads are not the service's. The service is declared last so that it goes first.
  struct Ready {
    std::shared_ptr<const ChatReplyWriter> writer;  // shared with answers in flight
    std::shared_ptr<const rag::ChatService> service;
  };
  // The parsed chat request and the service to answer it; throws ApiError (415, 400, 503).
  std::pair<ChatRequest, std::shared_ptr<const Ready>> acceptChat(const http::Request& request) const;
  // The service once ready; throws ApiError 503 before.
  std::shared_ptr<const Ready> requireReady() const;
  std::shared_ptr<const Ready> ready() const {
    const std::lock_guard lock(state_mutex_);
    return ready_;
  }
  std::shared_ptr<const rag::ChatService> service() const {
    const auto r = ready();
    return r ? r->service : nullptr;
  }
  std::string failure() const;

  const config::Config config_;
  const ChatLimits limits_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  http::Router router_;
  StaticAssets assets_;
  std::string openapi_;
  // A plain mutex rather than std::atomic<std::shared_ptr>: libstdc++ 12's implementation of the
  // latter is reported as racy by ThreadSanitizer. Taken once per request, held for a pointer copy.
  mutable std::mutex state_mutex_;
  std::shared_ptr<const Ready> ready_;  // guarded by state_mutex_
  std::string failure_;                 // guarded by state_mutex_
  std::function<void()> outbox_wake_;
  security::CredentialFilter filter_;  // for free text of feedback and tickets
  // Declared last, so destroyed first: its threads finish their queued work while everything
  // they use still exists.
  std::unique_ptr<support::SupportService> support_;
};

// JSON reply with the given status.
http::Response jsonResponse(http::Status status, const nlohmann::json& body, unsigned version = 11);

}  // namespace chatbot::api
