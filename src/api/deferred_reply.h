#pragma once
// A reply finished after its route returned, from any thread: the deferred counterpart of what the
// pipeline does to a response returned at once. What it sends passes every middleware's onReply
// (request id, security and CORS headers); onFinished (the access log: status, duration, the
// stage timings the route put in context()) runs when the reply is finished, abandoned or cut.
//
// Thread-safety: calls that produce the reply (context(), complete(), beginStream(), write(),
// end(), fail()) come from one thread at a time, as AnswerObserver calls do; clientGone() and
// onClientGone() from any thread. Ownership: shared by the route's observers. Dropped unfinished,
// it answers a generic 500 (or cuts a begun stream short). The Pipeline must outlive it.
#include <memory>
#include <string>

#include "api/errors.h"
#include "api/pipeline.h"
#include "http/pending_response.h"

namespace chatbot::api {

class DeferredReply final : public http::PendingResponse {
 public:
  DeferredReply(const Pipeline& pipeline, std::shared_ptr<http::PendingResponse> target,
                const http::Request& request, http::RequestContext context);
  ~DeferredReply() override;
  DeferredReply(const DeferredReply&) = delete;
  DeferredReply& operator=(const DeferredReply&) = delete;

  // Takes the connection's deferral: the route answers through the returned reply, from any
  // thread, and must not throw or touch `context` afterwards (it moved into the reply).
  static std::shared_ptr<DeferredReply> defer(const Pipeline& pipeline,
                                              const http::Request& request,
                                              http::RequestContext& context);

  http::RequestContext& context() noexcept { return context_; }
  unsigned version() const noexcept { return request_.version; }

  void complete(http::Response response) override;
  void beginStream(http::Response head) override;
  bool write(std::string chunk) override { return target_->write(std::move(chunk)); }
  void end() override;
  bool clientGone() const override { return target_->clientGone(); }
  void onClientGone(std::function<void()> callback) override {
    target_->onClientGone(std::move(callback));
  }
  void heartbeat(std::string chunk, std::chrono::milliseconds interval) override {
    target_->heartbeat(std::move(chunk), interval);
  }
  // Completes with the error format (and its Retry-After).
  void fail(const Error& error);

 private:
  void finishOnce(unsigned status);

  const Pipeline& pipeline_;
  const std::shared_ptr<http::PendingResponse> target_;
  const RequestSummary request_;
  http::RequestContext context_;
  unsigned streamed_status_ = 0;  // set by beginStream()
  bool finished_ = false;
};

}  // namespace chatbot::api
