// GET/DELETE {prefix}/sessions/{id}, POST {prefix}/feedback and GET {prefix}/stats. Input is
// validated on the HTTP thread; store work runs on the support service's threads (offload).
#include "api/application.h"
#include "api/errors.h"
#include "api/json_body.h"
#include "api/support_json.h"
#include "observability/log.h"
#include "support/escalation.h"
#include "util/time.h"

namespace chatbot::api {

namespace {

ApiError storageError() {
  return ApiError(http::Status::service_unavailable, "storage_unavailable",
                  "The database is not available right now; nothing was saved. Retry shortly.", 5);
}

std::string sessionIdParam(const http::RequestContext& context) {
  const std::string& id = context.path_params.at("session_id");
  if (!isAcceptableId(id)) invalidField("The session id must be 1-64 letters, digits, '.', '_' or '-'.");
  return id;
}

ApiError sessionNotFound(const std::string& id) {
  return ApiError(http::Status::not_found, "session_not_found",
                  "No conversation " + id + ": it never existed, expired or was deleted.");
}

}  // namespace

const support::SupportService& Application::support() const {
  if (!support_) {
    throw ApiError(http::Status::service_unavailable, "storage_unavailable",
                   "Conversations, feedback and tickets need a database, and this server runs without one.");
  }
  return *support_;
}

http::Response Application::offload(const http::Request& request, http::RequestContext& context,
                                    std::function<http::Response(unsigned)> work) const {
  const support::SupportService& service = support();
  auto reply = deferReply(request, context);
  const unsigned version = request.version();
  service.post([reply = std::move(reply), work = std::move(work), version] {
    try {
      reply->complete(work(version));
    } catch (const ApiError& e) {
      reply->fail(e);
    } catch (const store::StoreError& e) {
      log::error("store.failed", {{"request_id", reply->context().request_id}, {"error", e.what()}});
      reply->fail(storageError());
    } catch (const std::exception& e) {
      log::error("http.unhandled_exception", {{"request_id", reply->context().request_id}, {"error", e.what()}});
      reply->fail(ApiError(http::Status::internal_server_error, "internal_error",
                           "The server could not process the request. Quote the request id when reporting this."));
    }
  });
  return {};
}

http::Response Application::getSession(const http::Request& request, http::RequestContext& context) const {
  const std::string id = sessionIdParam(context);
  const auto& service = support();
  return offload(request, context, [&service, id](unsigned version) {
    const auto session = service.store().session(id, util::epochMsNow());
    if (!session) throw sessionNotFound(id);
    return jsonResponse(http::Status::ok, sessionJson(*session), version);
  });
}

http::Response Application::deleteSession(const http::Request& request, http::RequestContext& context) const {
  const std::string id = sessionIdParam(context);
  const auto& service = support();
  return offload(request, context, [&service, id](unsigned version) {
    if (!service.store().deleteSession(id)) throw sessionNotFound(id);
    return http::Response{http::Status::no_content, version};
  });
}

http::Response Application::feedback(const http::Request& request, http::RequestContext& context) const {
  requireJsonContentType(request[http::beast_http::field::content_type]);
  const auto body = parseJsonObject(request.body(), R"({"message_id": "...", "helpful": false})");
  const auto message_id = stringField(body, "message_id", 64);
  if (!message_id) invalidField("'message_id' is required: the message_id of the chat reply being rated.");
  if (!isAcceptableId(*message_id)) invalidField("'message_id' must be the message_id of a chat reply.");
  store::Feedback feedback;
  feedback.message_id = *message_id;
  feedback.helpful = boolField(body, "helpful");
  if (const auto comment = stringField(body, "comment", 2000, true)) {
    const auto redaction = filter_.redact(*comment);
    feedback.comment = redaction.text;
    context.redacted = redaction.kinds;
  }
  const auto& service = support();
  return offload(request, context, [&service, feedback = std::move(feedback)](unsigned version) mutable {
    feedback.created_ms = util::epochMsNow();
    const auto outcome = service.store().recordFeedback(feedback);
    if (!outcome.known_message) {
      throw ApiError(http::Status::not_found, "message_not_found",
                     "No chat reply has message_id " + feedback.message_id + ".");
    }
    nlohmann::json out = {{"message_id", feedback.message_id},
                          {"session_id", outcome.session_id.empty() ? nlohmann::json() : nlohmann::json(outcome.session_id)},
                          {"helpful", feedback.helpful},
                          {"replaced", outcome.replaced},
                          {"escalation", escalationJson(support::escalationForFeedback(feedback.helpful))}};
    return jsonResponse(outcome.replaced ? http::Status::ok : http::Status::created, out, version);
  });
}

http::Response Application::stats(const http::Request& request, http::RequestContext& context) const {
  const auto& service = support();
  return offload(request, context, [&service](unsigned version) {
    return jsonResponse(http::Status::ok, statsJson(service.store().stats(10)), version);
  });
}

}  // namespace chatbot::api
