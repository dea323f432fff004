#pragma once
// A response that a handler completes later, from any thread: either whole (complete()) or as a
// stream of chunks (beginStream() / write() / end(), sent with chunked transfer encoding). The
// connection that created it writes what arrives, in order, and tells the handler when the client
// has gone so that work for it can stop.
//
// Thread-safety: every member may be called from any thread. Ownership: shared by the connection
// and the handler; whichever lets go last frees it. If the handler drops it without completing,
// the connection answers 500 so that no client waits forever.
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
  // finished; at once if it already has. It must be quick and must not block.
  virtual void onClientGone(std::function<void()> callback) = 0;
};

}  // namespace chatbot::http
