#include "api/routes/conversation_routes.h"

#include "api/chat_request.h"
#include "api/json_body.h"
#include "api/support_json.h"

namespace chatbot::api {

namespace {

std::string sessionIdParam(const http::RequestContext& context) {
  const std::string& id = context.path_params.at("session_id");
  if (!isAcceptableId(id)) {
    invalidField("The session id must be 1-64 letters, digits, '.', '_' or '-'.");
  }
  return id;
}

// POST /feedback's body: {"message_id", "helpful", "comment"?}, the comment redacted.
store::Feedback parseFeedback(const http::Request& request,
                              const security::CredentialFilter& filter,
                              http::RequestContext& context) {
  requireJsonContentType(request[http::beast_http::field::content_type]);
  const auto body = parseJsonObject(request.body(), R"({"message_id": "...", "helpful": false})");
  const auto message_id = stringField(body, "message_id", 64);
  if (!message_id) {
    invalidField("'message_id' is required: the message_id of the chat reply being rated.");
  }
  if (!isAcceptableId(*message_id)) {
    invalidField("'message_id' must be the message_id of a chat reply.");
  }
  store::Feedback feedback;
  feedback.message_id = *message_id;
  feedback.helpful = boolField(body, "helpful");
  if (const auto comment = stringField(body, "comment", 2000, true)) {
    auto redaction = filter.redact(*comment);
    feedback.comment = std::move(redaction.text);
    context.redacted = std::move(redaction.kinds);
  }
  return feedback;
}

}  // namespace

void ConversationRoutes::addRoutes(RouteTable& routes) const {
  const std::string& p = env_.config.api_v1_prefix;
  routes.add(http::Verb::get, p + "/sessions/{session_id}", Access::kCaller,
             bindRoute(this, &ConversationRoutes::getSession));
  routes.add(http::Verb::delete_, p + "/sessions/{session_id}", Access::kCaller,
             bindRoute(this, &ConversationRoutes::deleteSession));
  routes.add(http::Verb::post, p + "/feedback", Access::kCaller,
             bindRoute(this, &ConversationRoutes::feedback));
  routes.add(http::Verb::get, p + "/stats", Access::kAgent,
             bindRoute(this, &ConversationRoutes::stats));
}

const support::ConversationService& ConversationRoutes::conversations() const {
  env_.requireSupport();
  return *env_.services.conversations;
}

http::Response ConversationRoutes::getSession(const http::Request& request,
                                              http::RequestContext& context) const {
  const std::string id = sessionIdParam(context);
  const auto& service = conversations();
  return env_.offload<store::Session>(
      request, context,
      [&service, id, caller = context.identity] { return service.session(id, caller); },
      [](store::Session& session, unsigned version) {
        return jsonResponse(http::Status::ok, sessionJson(session), version);
      });
}

http::Response ConversationRoutes::deleteSession(const http::Request& request,
                                                 http::RequestContext& context) const {
  const std::string id = sessionIdParam(context);
  const auto& service = conversations();
  return env_.offload<Done>(
      request, context,
      [&service, id, caller = context.identity] { return service.deleteSession(id, caller); },
      [](Done&, unsigned version) {
        return http::Response{http::Status::no_content, version};
      });
}

http::Response ConversationRoutes::feedback(const http::Request& request,
                                            http::RequestContext& context) const {
  store::Feedback feedback = parseFeedback(request, env_.filter, context);
  env_.admitWrite();
  const auto& service = conversations();
  return env_.offload<support::FeedbackReceipt>(
      request, context,
      [&service, feedback = std::move(feedback), caller = context.identity] {
        return service.recordFeedback(feedback, caller);
      },
      [](support::FeedbackReceipt& receipt, unsigned version) {
        const bool replaced = receipt.outcome.replaced;
        return jsonResponse(replaced ? http::Status::ok : http::Status::created,
                            feedbackJson(receipt), version);
      });
}

http::Response ConversationRoutes::stats(const http::Request& request,
                                         http::RequestContext& context) const {
  const auto& service = conversations();
  return env_.offload<store::Stats>(
      request, context, [&service] { return service.stats(10); },
      [](store::Stats& stats, unsigned version) {
        return jsonResponse(http::Status::ok, statsJson(stats), version);
      });
}

}  // namespace chatbot::api
