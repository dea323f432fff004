#include "api/routes/chat_routes.h"

#include "api/deferred_reply.h"
#include "util/json_escape.h"
#include "util/time.h"

namespace chatbot::api {

using field = http::beast_http::field;

namespace {

double secondsSince(std::chrono::steady_clock::time_point t) {
  return util::millisSince(t) / 1000.0;
}

// What the access log records about an answer.
void recordAnswer(http::RequestContext& context, const rag::ChatAnswer& answer) {
  context.stage_ms = {{"redact", answer.timings.redact_ms},
                      {"retrieve", answer.timings.retrieve_ms},
                      {"generate", answer.timings.generate_ms}};
  if (answer.timings.first_token_ms > 0) {
    context.stage_ms["first_token"] = answer.timings.first_token_ms;
  }
  context.redacted = answer.redacted_kinds;
}

http::Response chatResponse(const rag::ChatAnswer& answer, const ChatReplyWriter& writer,
                            const http::RequestContext& context, unsigned version) {
  http::Response res{http::Status::ok, version};
  res.set(field::content_type, "application/json");
  res.body() = writer.write(answer, context.request_id, secondsSince(context.received_at));
  return res;
}

// One Server-Sent Event. `data` is one line: JSON text never contains a raw line break.
std::string sseEvent(std::string_view name, std::string_view data) {
  std::string out;
  out.reserve(16 + name.size() + data.size());
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

// Finishes a deferred POST /chat once the answer is complete. Holds the writer, not the service:
// see Serving for why.
class ChatReplyObserver final : public rag::AnswerObserver {
 public:
  ChatReplyObserver(std::shared_ptr<DeferredReply> reply,
                    std::shared_ptr<const ChatReplyWriter> writer)
      : reply_(std::move(reply)), writer_(std::move(writer)) {}

  void onComplete(rag::ChatAnswer answer) override {
    recordAnswer(reply_->context(), answer);
    if (answer.failure) return reply_->fail(*answer.failure);
    reply_->complete(chatResponse(answer, *writer_, reply_->context(), reply_->version()));
  }
  bool cancelled() const override { return reply_->clientGone(); }

 private:
  const std::shared_ptr<DeferredReply> reply_;
  const std::shared_ptr<const ChatReplyWriter> writer_;
};

// Turns an answer's progress into the events of POST /chat/stream: sources, delta*, then done (or
// error when the answer failed after the 200 was sent).
class ChatStreamObserver final : public rag::AnswerObserver {
 public:
  ChatStreamObserver(std::shared_ptr<DeferredReply> reply,
                     std::shared_ptr<const ChatReplyWriter> writer)
      : reply_(std::move(reply)), writer_(std::move(writer)) {}

  void onSources(const rag::ChatAnswer& partial) override {
    reply_->write(sseEvent("sources", writer_->writeSources(partial)));
  }
  void onDelta(std::string_view text) override {
    std::string data = "{\"text\":";
    util::appendJsonString(data, text);
    data += '}';
    reply_->write(sseEvent("delta", data));
  }
  void onComplete(rag::ChatAnswer answer) override {
    auto& context = reply_->context();
    recordAnswer(context, answer);
    if (answer.failure) {
      writeError(*answer.failure);
    } else {
      reply_->write(sseEvent(
          "done", writer_->write(answer, context.request_id, secondsSince(context.received_at))));
    }
    reply_->end();
  }
  bool cancelled() const override { return reply_->clientGone(); }

 private:
  // The 200 and its headers are gone already: the error travels as an event, status inside.
  void writeError(const Error& error) {
    auto& context = reply_->context();
    auto body = errorBody(error.code, error.detail, context.request_id);
    body["status"] = static_cast<unsigned>(httpStatus(error.kind));
    context.stream_error = error.code;
    reply_->write(
        sseEvent("error", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  }

  const std::shared_ptr<DeferredReply> reply_;
  const std::shared_ptr<const ChatReplyWriter> writer_;
};

}  // namespace

ChatRoutes::ChatRoutes(const RouteEnv& env)
    : env_(env), limits_{.max_query_chars = env.config.max_query_chars} {}

void ChatRoutes::addRoutes(RouteTable& routes) const {
  const std::string& p = env_.config.api_v1_prefix;
  routes.add(http::Verb::post, p + "/chat/", Access::kCaller, bindRoute(this, &ChatRoutes::chat),
             Budget::kChat);
  routes.add(http::Verb::post, p + "/chat/stream", Access::kCaller,
             bindRoute(this, &ChatRoutes::chatStream), Budget::kChat);
}

std::pair<ChatRequest, std::shared_ptr<const Serving>> ChatRoutes::accept(
    const http::Request& request) const {
  requireJsonContentType(request[field::content_type]);
  ChatRequest chat = parseChatRequest(request.body(), limits_);
  if (env_.services.support) env_.admitWrite();  // every answer is stored
  auto serving = env_.services.serving->require();
  if (!serving) throw ApiError(std::move(serving).error());
  return {std::move(chat), std::move(serving).value()};
}

void ChatRoutes::answer(const Serving& serving, ChatRequest chat, const auth::Identity& caller,
                        std::shared_ptr<rag::AnswerObserver> observer,
                        std::shared_ptr<const Serving> keep_alive) const {
  if (env_.services.support) {
    env_.services.support->answer(std::move(keep_alive), *serving.service, std::move(chat.query),
                                  std::move(chat.session_id), caller, std::move(observer));
  } else {
    serving.service->answerAsync(std::move(chat.query), std::move(observer));
  }
}

http::Response ChatRoutes::chat(const http::Request& request, http::RequestContext& context) const {
  auto [chat, serving] = accept(request);
  const rag::ChatService& service = *serving->service;
  if (!env_.services.support && !service.asynchronous()) {
    const rag::ChatAnswer answer = service.answer(chat.query);
    recordAnswer(context, answer);
    if (answer.failure) throw ApiError(*answer.failure);
    return chatResponse(answer, *serving->writer, context, request.version());
  }
  // With a database the exchange is stored before the reply: always answered later. The
  // identity is copied first: once deferred, the handler stops using the context.
  const auth::Identity identity = context.identity;
  auto observer =
      std::make_shared<ChatReplyObserver>(env_.defer(request, context), serving->writer);
  answer(*serving, std::move(chat), identity, std::move(observer), serving);
  return {};
}

http::Response ChatRoutes::chatStream(const http::Request& request,
                                      http::RequestContext& context) const {
  auto [chat, serving] = accept(request);
  // Copied now: once deferred, the handler stops using the context (see RequestContext).
  const auth::Identity identity = context.identity;
  auto reply = env_.defer(request, context);
  http::Response head{http::Status::ok, request.version()};
  head.set(field::content_type, "text/event-stream");
  head.set(field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx would otherwise hold events back in its buffer
  head.set(field::connection, "keep-alive");
  reply->heartbeat(": keep-alive\n\n", kSseHeartbeatInterval);
  // Begun before answering, so heartbeats cover retrieval and a model's queueing too.
  reply->beginStream(std::move(head));
  auto observer = std::make_shared<ChatStreamObserver>(std::move(reply), serving->writer);
  answer(*serving, std::move(chat), identity, std::move(observer), serving);
  return {};
}

}  // namespace chatbot::api
