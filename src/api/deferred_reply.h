#pragma once
// A reply of the Application that is finished after the handler returned, from any thread: the
// deferred counterpart of what Application::handle does to a response it returns. What it sends
// gets the request id, security and CORS headers; the access-log line (status, duration, the stage
// timings the endpoint put in context()) is written when the reply is finished, abandoned or cut.
//
// Thread-safety: calls that produce the reply (context(), complete(), beginStream(), write(),
// end(), fail()) come from one thread at a time, as AnswerObserver calls do; clientGone() and
// onClientGone() from any thread. Ownership: shared by the endpoint's observers. Dropped unfinished,
// it answers a generic 500 (or cuts a begun stream short). The Application must outlive it.
#include <memory>
#include <string>

#include "api/errors.h"
#include "http/pending_response.h"

namespace chatbot::api {

class Application;

class DeferredReply final : public http::PendingResponse {
 public:
  DeferredReply(const Application& app, std::shared_ptr<http::PendingResponse> target, const http::Request& request,
                http::RequestContext context);
  ~DeferredReply() override;
  DeferredReply(const DeferredReply&) = delete;
  DeferredReply& operator=(const DeferredReply&) = delete;

  http::RequestContext& context() noexcept { return context_; }
  unsigned version() const noexcept { return version_; }

  void complete(http::Response response) override;
  void beginStream(http::Response head) override;
  bool write(std::string chunk) override { return target_->write(std::move(chunk)); }
  void end() override;
  bool clientGone() const override { return target_->clientGone(); }
  void onClientGone(std::function<void()> callback) override { target_->onClientGone(std::move(callback)); }
  void heartbeat(std::string chunk, std::chrono::milliseconds interval) override {
    target_->heartbeat(std::move(chunk), interval);
  }
  // Completes with the error format (and its Retry-After).
  void fail(const ApiError& error);

 private:
  void logOnce(unsigned status);

  const Application& app_;
  const std::shared_ptr<http::PendingResponse> target_;
  const std::string method_;
  const std::string path_;
  const std::string origin_;
  const unsigned version_;
  http::RequestContext context_;
  unsigned streamed_status_ = 0;  // set by beginStream()
  bool finished_ = false;
};

}  // namespace chatbot::api
