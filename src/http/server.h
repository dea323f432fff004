#pragma once
// HTTP/1.1 server on Boost.Beast: keep-alive, a thread pool running one io_context, per-connection
// strands, header/idle timeouts, a request-body limit, a cap on concurrent connections, and a
// graceful stop (stop accepting, close idle connections, let in-flight requests finish within a
// grace period). Protocol-level failures are turned into responses by the RequestHandler, so every
// error a client sees has the same format.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/pending_response.h"
#include "http/types.h"

namespace chatbot::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8000;  // 0: the kernel picks a free port; see Server::port()
  unsigned threads = 1;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_connections = 10'000;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{10'000};
};

struct ConnectionInfo {
  std::string remote_address;
};

// Implemented by the API layer. Both calls must not throw; they run on server threads
// concurrently.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // The returned response is sent at once, unless the handler called deferral.defer(): then the
  // connection waits (without holding a thread) for the PendingResponse and ignores the return.
  virtual Response handle(Request&& request, const ConnectionInfo& connection,
                          Deferral& deferral) = 0;
  // A request that could not be parsed or exceeded a limit (400, 413, 431, 408), or a deferred
  // response that its handler dropped unfinished (500).
  virtual Response protocolError(Status status, std::string_view detail,
                                 const ConnectionInfo& connection) = 0;
};

class Server {
 public:
  // Binds and listens immediately (throws std::system_error if it cannot); serving starts in run().
  Server(ServerOptions options, RequestHandler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept;
  // Serves until SIGINT/SIGTERM or stop(), then drains. Blocks the calling thread, which is one of
  // the worker threads.
  void run();
  // Begins a graceful stop; callable from any thread, idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chatbot::http
