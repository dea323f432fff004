#pragma once
// A response that a handler completes later, from any thread: either whole (complete()) or as a
// stream of chunks (beginStream() / write() / end(), sent with chunked transfer encoding). The
// connection that created it writes what arrives, in order, and tells the handler when the client
// has gone so that work for it can stop.
//
// Thread-safety: every member may be called from any thread. Ownership: shared by the connection
// and the handler; whichever lets go last frees it. If the handler drops it without completing,
// the connection answers 500 so that no client waits forever.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/types.h"

namespace chatbot::http {

class PendingResponse {
 public:
  virtual ~PendingResponse() = default;
  // The whole response. Ignored after the first complete() or beginStream().
  virtual void complete(Response response) = 0;
  // Status and headers of a streamed response; its body is what write() sends. Ignored after the
  // first complete() or beginStream().
  virtual void beginStream(Response head) = 0;
  // Queues a chunk of the streamed body. Returns false once the client is gone (stop producing).
  virtual bool write(std::string chunk) = 0;
  // Ends the streamed body; the connection then goes on with its next request.
  virtual void end() = 0;
  virtual bool clientGone() const = 0;
  // `callback` runs once, on a server thread, when the client disconnects before the response is
  // finished; at once (on the calling thread) if it already has. It must be quick and must not
  // block. It is released when the response is finished, so it may own this PendingResponse.
  virtual void onClientGone(std::function<void()> callback) = 0;
  // While a streamed body is open and nothing was written for `interval`, the connection writes
  // `chunk` by itself (e.g. an SSE comment), so that proxies and clients with read timeouts keep
  // a slow stream open. Call before beginStream(). Connections that cannot do this ignore it.
  // By value: implementations keep the chunk; this default for connections that cannot ignores it.
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  virtual void heartbeat(std::string chunk, std::chrono::milliseconds interval) {
    (void)chunk;
    (void)interval;
  }
};

// Lets a handler answer after it has returned. The connection creates one per request on its
// stack, and nothing is allocated unless defer() is called, so requests answered at once cost no
// more than before. Used on the thread that runs the handler, while it runs.
class Deferral {
 public:
  // The response to complete later. Once called, the handler's return value is ignored. A second
  // call returns the same object while the handler still holds it.
  std::shared_ptr<PendingResponse> defer() {
    if (!deferred_) {
      auto created = makePending();
      pending_ = created;
      deferred_ = true;
      return created;
    }
    return pending_.lock();
  }
  bool deferred() const noexcept { return deferred_; }

 protected:
  ~Deferral() = default;
  virtual std::shared_ptr<PendingResponse> makePending() = 0;

 private:
  std::weak_ptr<PendingResponse> pending_;  // weak: the handler's release must stay observable
  bool deferred_ = false;
};

}  // namespace chatbot::http
