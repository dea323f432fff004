#include "api/deferred_reply.h"

#include "observability/log.h"

namespace chatbot::api {

DeferredReply::DeferredReply(const Pipeline& pipeline,
                             std::shared_ptr<http::PendingResponse> target,
                             const http::Request& request, http::RequestContext context)
    : pipeline_(pipeline),
      target_(std::move(target)),
      request_(RequestSummary::of(request)),
      context_(std::move(context)) {
  context_.deferral = nullptr;  // the connection's deferral does not outlive the route call
}

std::shared_ptr<DeferredReply> DeferredReply::defer(const Pipeline& pipeline,
                                                    const http::Request& request,
                                                    http::RequestContext& context) {
  if (context.deferral == nullptr) throw std::logic_error("this request cannot be answered later");
  auto target = context.deferral->defer();
  return std::make_shared<DeferredReply>(pipeline, std::move(target), request, std::move(context));
}

DeferredReply::~DeferredReply() {
  if (finished_) return;
  if (streamed_status_ != 0) {
    // Dropping the target unfinished cuts the stream: the client sees an incomplete body.
    context_.stream_error = "incomplete";
    finishOnce(streamed_status_);
    return;
  }
  log::error("http.deferred_reply_dropped", {{"request_id", context_.request_id}});
  fail(Error::internal());
}

void DeferredReply::complete(http::Response response) {
  if (finished_ || streamed_status_ != 0) return;
  pipeline_.finishReply(request_, response, context_);
  // The after-hooks run before the client can see the reply: once it is handed over, whoever
  // waits for it may tear the pipeline down.
  finishOnce(response.result_int());
  target_->complete(std::move(response));
}

void DeferredReply::fail(const Error& error) {
  complete(errorResponse(error, context_.request_id, request_.version));
}

void DeferredReply::beginStream(http::Response head) {
  if (finished_ || streamed_status_ != 0) return;
  pipeline_.finishReply(request_, head, context_);
  streamed_status_ = head.result_int();
  target_->beginStream(std::move(head));
}

void DeferredReply::end() {
  if (finished_ || streamed_status_ == 0) return;
  finishOnce(streamed_status_);  // before the end goes out, as in complete()
  target_->end();
}

void DeferredReply::finishOnce(unsigned status) {
  finished_ = true;
  context_.client_gone = target_->clientGone();
  pipeline_.finished(request_, status, context_);
}

}  // namespace chatbot::api
