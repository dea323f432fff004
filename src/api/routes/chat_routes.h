#pragma once
// POST {prefix}/chat/ and POST {prefix}/chat/stream. Both validate the same way and answer through
// the ChatService (with a database: through the SupportService, which stores the exchange before
// the reply). /chat answers at once when the service is synchronous and there is no database (the
// fast path: no allocation or thread hop beyond the answer itself), otherwise deferred until the
// answer is complete; /chat/stream always deferred, as Server-Sent Events.
#include <chrono>

#include "api/chat_request.h"
#include "api/routes/route_module.h"

namespace chatbot::api {

class ChatRoutes final : public RouteModule {
 public:
  explicit ChatRoutes(const RouteEnv& env);
  void addRoutes(RouteTable& routes) const override;

  // How often a chat stream with nothing to say sends an SSE comment. Proxies and load balancers
  // commonly close connections idle for 30-60 s, and a client can only tell a slow model from a
  // dead server by seeing bytes arrive; a few seconds keeps both happy at a negligible cost.
  static constexpr std::chrono::seconds kSseHeartbeatInterval{5};

 private:
  http::Response chat(const http::Request& request, http::RequestContext& context) const;
  http::Response chatStream(const http::Request& request, http::RequestContext& context) const;
  // The parsed request and the service to answer it; throws ApiError (415, 400, 503).
  std::pair<ChatRequest, std::shared_ptr<const Serving>> accept(const http::Request& request) const;
  // Answers through the SupportService when there is one, else the ChatService directly.
  void answer(const Serving& serving, ChatRequest chat, const auth::Identity& caller,
              std::shared_ptr<rag::AnswerObserver> observer,
              std::shared_ptr<const Serving> keep_alive) const;

  const RouteEnv& env_;
  const ChatLimits limits_;
};

}  // namespace chatbot::api
