// POST {prefix}/chat/ and POST {prefix}/chat/stream. Both validate the same way and answer through
// the ChatService: /chat at once when the service is synchronous (the fast path: no allocation or
// thread hop beyond the answer itself), otherwise deferred until the answer is complete; /chat/stream
// always deferred, as Server-Sent Events.
#include "api/application.h"
#include "api/errors.h"
#include "util/json_escape.h"
#include "util/time.h"

namespace chatbot::api {

using field = http::beast_http::field;

namespace {

double secondsSince(std::chrono::steady_clock::time_point t) { return util::millisSince(t) / 1000.0; }

// What the access log records about an answer.
void recordAnswer(http::RequestContext& context, const rag::ChatAnswer& answer) {
  context.stage_ms = {{"redact", answer.timings.redact_ms},
                      {"retrieve", answer.timings.retrieve_ms},
                      {"generate", answer.timings.generate_ms}};
  if (answer.timings.first_token_ms > 0) context.stage_ms["first_token"] = answer.timings.first_token_ms;
  context.redacted = answer.redacted_kinds;
}

ApiError notStoredError() {
  return ApiError(http::Status::service_unavailable, "storage_unavailable",
                  "The answer could not be saved to the conversation, so it is not returned; retry shortly.", 5);
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

// Finishes a deferred POST /chat once the answer is complete. Holds the writer by reference: see
// Application::Ready for why it outlives the answer.
class ChatReplyObserver final : public rag::AnswerObserver {
 public:
  ChatReplyObserver(std::shared_ptr<DeferredReply> reply, std::shared_ptr<const ChatReplyWriter> writer)
      : reply_(std::move(reply)), writer_(std::move(writer)) {}

  void onComplete(rag::ChatAnswer answer) override {
    recordAnswer(reply_->context(), answer);
    if (answer.overloaded) {
      reply_->fail(overloadedError());
    } else if (answer.conversation.store_failed) {
      reply_->fail(notStoredError());
    } else {
      reply_->complete(chatResponse(answer, *writer_, reply_->context(), reply_->version()));
    }
  }
  bool cancelled() const override { return reply_->clientGone(); }

 private:
  const std::shared_ptr<DeferredReply> reply_;
  const std::shared_ptr<const ChatReplyWriter> writer_;
};

// Turns an answer's progress into the events of POST /chat/stream: sources, delta*, then done (or
// error when the generator had no room for it).
class ChatStreamObserver final : public rag::AnswerObserver {
 public:
  ChatStreamObserver(std::shared_ptr<DeferredReply> reply, std::shared_ptr<const ChatReplyWriter> writer)
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
    if (answer.overloaded || answer.conversation.store_failed) {
      // The 200 and its headers are gone already: the error travels as an event, status inside.
      const ApiError error = answer.overloaded ? overloadedError() : notStoredError();
      auto body = errorBody(error.code(), error.what(), context.request_id);
      body["status"] = static_cast<unsigned>(error.status());
      context.stream_error = error.code();
      reply_->write(sseEvent("error", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    } else {
      reply_->write(sseEvent("done", writer_->write(answer, context.request_id, secondsSince(context.received_at))));
    }
    reply_->end();
  }
  bool cancelled() const override { return reply_->clientGone(); }

 private:
  const std::shared_ptr<DeferredReply> reply_;
  const std::shared_ptr<const ChatReplyWriter> writer_;
};

}  // namespace

std::shared_ptr<const Application::Ready> Application::requireReady() const {
  auto serving = ready();
  if (!serving) {
    const std::string failed = failure();
    throw ApiError(http::Status::service_unavailable, "service_unavailable",
                   failed.empty() ? "The knowledge base is still being indexed; retry shortly."
                                  : "The chat service is unavailable; see /health.",
                   2);
  }
  return serving;
}

std::pair<ChatRequest, std::shared_ptr<const Application::Ready>> Application::acceptChat(
    const http::Request& request) const {
  requireJsonContentType(request[field::content_type]);
  ChatRequest chat = parseChatRequest(request.body(), limits_);
  return {std::move(chat), requireReady()};
}

http::Response Application::chat(const http::Request& request, http::RequestContext& context) const {
  auto [chat, serving] = acceptChat(request);
  const rag::ChatService& service = *serving->service;
  if (support_) {
    // The exchange is stored before the reply: always answered from the support threads.
    auto reply = deferReply(request, context);
    auto observer = std::make_shared<ChatReplyObserver>(std::move(reply), serving->writer);
    support_->answer(serving, service, std::move(chat.query), std::move(chat.session_id), std::move(observer));
    return {};
  }
  if (!service.asynchronous()) {
    const rag::ChatAnswer answer = service.answer(chat.query);
    recordAnswer(context, answer);
    if (answer.overloaded) throw overloadedError();
    return chatResponse(answer, *serving->writer, context, request.version());
  }
  auto reply = deferReply(request, context);
  service.answerAsync(std::move(chat.query), std::make_shared<ChatReplyObserver>(std::move(reply), serving->writer));
  return {};
}

http::Response Application::chatStream(const http::Request& request, http::RequestContext& context) const {
  auto [chat, serving] = acceptChat(request);
  auto reply = deferReply(request, context);
  http::Response head{http::Status::ok, request.version()};
  head.set(field::content_type, "text/event-stream");
  head.set(field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx would otherwise hold events back in its buffer
  head.set(field::connection, "keep-alive");
  reply->heartbeat(": keep-alive\n\n", kSseHeartbeatInterval);
  // Begun before answering, so heartbeats cover retrieval and a model's queueing too.
  reply->beginStream(std::move(head));
  auto observer = std::make_shared<ChatStreamObserver>(std::move(reply), serving->writer);
  if (support_) {
    support_->answer(serving, *serving->service, std::move(chat.query), std::move(chat.session_id),
                     std::move(observer));
  } else {
    serving->service->answerAsync(std::move(chat.query), std::move(observer));
  }
  return {};
}

}  // namespace chatbot::api
