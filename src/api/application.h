#pragma once
// The HTTP application: request ids, CORS, routing, error mapping, security headers and the access
// log around the endpoint handlers. Thread-safe: handle() runs concurrently on server threads;
// readiness changes are published under a mutex.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "api/chat_reply.h"
#include "api/chat_request.h"
#include "api/static_assets.h"
#include "config/config.h"
#include "http/router.h"
#include "http/server.h"
#include "rag/chat_service.h"

namespace chatbot::api {

class Application final : public http::RequestHandler {
 public:
  explicit Application(config::Config config);

  // Called once the knowledge base is indexed; from then on the chat endpoint serves.
  void setReady(std::shared_ptr<const rag::ChatService> service);
  // Called when start-up failed for good; /health reports the reason, chat answers 503.
  void setFailed(std::string reason);

  http::Response handle(http::Request&& request, const http::ConnectionInfo& connection) override;
  http::Response protocolError(http::Status status, std::string_view detail,
                               const http::ConnectionInfo& connection) override;

  const http::Router& router() const noexcept { return router_; }
  const std::string& openapiDocument() const noexcept { return openapi_; }

 private:
  void registerRoutes();
  http::Response dispatch(const http::Request& request, http::RequestContext& context);
  http::Response preflight(const http::Request& request, http::RequestContext& context);
  void decorate(http::Response& response, const http::Request* request, const http::RequestContext& context) const;
  void logAccess(const http::Request* request, const http::Response& response, const http::RequestContext& context) const;

  // Endpoints (endpoints.cpp).
  http::Response root(const http::Request&, http::RequestContext&) const;
  http::Response health(const http::Request&, http::RequestContext&) const;
  http::Response chat(const http::Request&, http::RequestContext&) const;
  http::Response chatHealth(const http::Request&, http::RequestContext&) const;
  http::Response openapi(const http::Request&, http::RequestContext&) const;
  http::Response docs(const http::Request&, http::RequestContext&) const;

  // What serving needs once the KB is ready, published as one unit.
  struct Ready {
    std::shared_ptr<const rag::ChatService> service;
    ChatReplyWriter writer;
  };
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
};

// JSON reply with the given status.
http::Response jsonResponse(http::Status status, const nlohmann::json& body, unsigned version = 11);

}  // namespace chatbot::api
