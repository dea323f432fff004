#include "api/deferred_reply.h"

#include "api/application.h"
#include "observability/log.h"

namespace chatbot::api {

DeferredReply::DeferredReply(const Application& app, std::shared_ptr<http::PendingResponse> target,
                             const http::Request& request, http::RequestContext context)
    : app_(app),
      target_(std::move(target)),
      method_(request.method_string()),
      path_(Application::targetPath(request.target())),
      origin_(request[http::beast_http::field::origin]),
      version_(request.version()),
      context_(std::move(context)) {
  context_.deferral = nullptr;  // the connection's deferral does not outlive the handler call
}

DeferredReply::~DeferredReply() {
  if (finished_) return;
  if (streamed_status_ != 0) {
    // Dropping the target unfinished cuts the stream: the client sees an incomplete body.
    context_.stream_error = "incomplete";
    logOnce(streamed_status_);
    return;
  }
  log::error("http.deferred_reply_dropped", {{"request_id", context_.request_id}});
  fail(ApiError(http::Status::internal_server_error, "internal_error",
                "The server could not process the request. Quote the request id when reporting this."));
}

void DeferredReply::complete(http::Response response) {
  if (finished_ || streamed_status_ != 0) return;
  app_.decorate(response, origin_, context_);
  const unsigned status = response.result_int();
  target_->complete(std::move(response));
  logOnce(status);
}

void DeferredReply::fail(const ApiError& error) { complete(errorResponse(error, context_.request_id, version_)); }

void DeferredReply::beginStream(http::Response head) {
  if (finished_ || streamed_status_ != 0) return;
  app_.decorate(head, origin_, context_);
  streamed_status_ = head.result_int();
  target_->beginStream(std::move(head));
}

void DeferredReply::end() {
  if (finished_ || streamed_status_ == 0) return;
  target_->end();
  logOnce(streamed_status_);
}

void DeferredReply::logOnce(unsigned status) {
  finished_ = true;
  context_.client_gone = target_->clientGone();
  app_.logAccess(method_, path_, status, context_);
}

}  // namespace chatbot::api
