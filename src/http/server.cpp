#include "http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "http/response_channel.h"
#include "observability/log.h"
#include "util/mutex.h"

namespace chatbot::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

// One connection's state that the server must reach from outside its coroutine, to close it when
// idle during shutdown. Guarded by Impl::sessions_mutex for registration; `idle` and `stream` are
// only touched on the connection's strand.
struct SessionState {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
};

bool isTimeout(const beast::error_code& ec) {
  return ec == beast::error::timeout;
}

// Whom the handler is serving: the peer's address ("" when the socket cannot tell).
ConnectionInfo connectionInfo(const beast::tcp_stream& stream) {
  ConnectionInfo info;
  beast::error_code ec;
  const auto endpoint = stream.socket().remote_endpoint(ec);
  if (!ec) info.remote_address = endpoint.address().to_string();
  return info;
}

// Closes the connection at once (see lingeringClose for the alternative).
void closeNow(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

using RequestParser = beast::http::request_parser<beast::http::string_body>;

// The error reply owed for a request that could not be read.
struct ReadFailure {
  Status status;
  std::string detail;
};

// The connection's Deferral: a handler that defers gets a PendingHandle, the connection keeps the
// channel behind it. Lives on the coroutine's frame for one request.
class ConnectionDeferral final : public Deferral {
 public:
  explicit ConnectionDeferral(const std::shared_ptr<detail::WakeGate>& gate) : gate_(gate) {}
  std::shared_ptr<detail::ResponseChannel> channel;  // set once the handler defers

 protected:
  std::shared_ptr<PendingResponse> makePending() override {
    channel = std::make_shared<detail::ResponseChannel>(gate_);
    return std::make_shared<detail::PendingHandle>(channel);
  }

 private:
  const std::shared_ptr<detail::WakeGate>&
      gate_;  // referenced, not copied: no cost unless deferred
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, RequestHandler& h)
      : options(std::move(o)),
        handler(h),
        acceptor(io),
        signals(io, SIGINT, SIGTERM),
        grace_timer(io) {}
  // Handlers may still hold deferred responses: from here on they must not post to `io`.
  ~Impl() { wake_gate->close(); }

  awaitable<void> acceptLoop();
  awaitable<void> session(tcp::socket socket);
  std::list<std::shared_ptr<SessionState>>::iterator registerSession(
      std::shared_ptr<SessionState> state);
  void endSession(std::list<std::shared_ptr<SessionState>>::iterator registration);
  void limit(RequestParser& parser) const;
  void prepareReply(beast::tcp_stream& stream, Response& reply, bool keep_alive) const;
  std::optional<ReadFailure> readFailure(const beast::error_code& ec, bool nothing_received) const;
  awaitable<void> replyToUnreadable(beast::tcp_stream& stream, const ReadFailure& failure,
                                    const ConnectionInfo& info);
  awaitable<void> lingeringClose(beast::tcp_stream& stream);
  void beginShutdown();
  void sessionEnded();

  ServerOptions options;
  RequestHandler& handler;
  asio::io_context io;
  // The acceptor, the signal set and shutdown are touched only on this strand: the io_context runs
  // on several threads, and closing the acceptor must not race with the accept loop.
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(io)};
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer grace_timer;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_sessions{0};
  util::Mutex sessions_mutex;
  std::list<std::shared_ptr<SessionState>> sessions GUARDED_BY(sessions_mutex);
  const std::shared_ptr<detail::WakeGate> wake_gate = std::make_shared<detail::WakeGate>();
};

awaitable<void> Server::Impl::acceptLoop() {
  asio::steady_timer backoff(io);
  while (!stopping.load()) {
    if (open_sessions.load() >= options.max_connections) {
      // At the cap, let further clients wait in the kernel's accept queue.
      backoff.expires_after(std::chrono::milliseconds(5));
      beast::error_code ignored;
      co_await backoff.async_wait(asio::redirect_error(use_awaitable, ignored));
      continue;
    }
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(io),
                                                        asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping.load()) break;
      log::warn("http.accept_failed", {{"error", ec.message()}});
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    socket.set_option(tcp::no_delay(true), ec);
    open_sessions.fetch_add(1);
    const auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

awaitable<void> Server::Impl::lingeringClose(beast::tcp_stream& stream) {
  // After an early error reply the client may still be sending its body; closing at once would
  // reset the connection and could destroy the reply before the client reads it.
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 16 * 1024> sink{};
  std::size_t drained = 0;
  stream.expires_after(std::chrono::milliseconds(500));
  while (!ec && drained < (1u << 20)) {
    drained += co_await stream.async_read_some(asio::buffer(sink),
                                               asio::redirect_error(use_awaitable, ec));
  }
  stream.socket().close(ec);
}

// Makes the session reachable by beginShutdown() until endSession().
std::list<std::shared_ptr<SessionState>>::iterator Server::Impl::registerSession(
    std::shared_ptr<SessionState> state) {
  const util::MutexLock lock(sessions_mutex);
  return sessions.insert(sessions.end(), std::move(state));
}

// After the connection closed: unregisters the session, forgets its stream (shutdown's posted
// checks may still hold the state) and counts the session ended.
void Server::Impl::endSession(std::list<std::shared_ptr<SessionState>>::iterator registration) {
  std::shared_ptr<SessionState> state;
  {
    const util::MutexLock lock(sessions_mutex);
    state = std::move(*registration);
    sessions.erase(registration);
  }
  state->stream = nullptr;
  sessionEnded();
}

void Server::Impl::limit(RequestParser& parser) const {
  parser.body_limit(options.max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
}

// Readies a handler's immediate reply for its write.
void Server::Impl::prepareReply(beast::tcp_stream& stream, Response& reply, bool keep_alive) const {
  reply.keep_alive(keep_alive);
  if (!reply.has_content_length()) reply.prepare_payload();
  stream.expires_after(options.write_timeout);
}

// What to answer a request that could not be read because of `ec`; nullopt when the connection
// should just close (the client closed it, or an idle keep-alive connection timed out).
std::optional<ReadFailure> Server::Impl::readFailure(const beast::error_code& ec,
                                                     bool nothing_received) const {
  if (ec == beast::http::error::end_of_stream || ec == asio::error::operation_aborted ||
      ec == asio::error::connection_reset || ec == asio::error::eof) {
    return std::nullopt;
  }
  if (ec == beast::http::error::body_limit) {
    return ReadFailure{
        Status::payload_too_large,
        "The request body is larger than " + std::to_string(options.max_body_bytes) + " bytes."};
  }
  if (ec == beast::http::error::header_limit) {
    return ReadFailure{Status::request_header_fields_too_large,
                       "The request headers are larger than " +
                           std::to_string(options.max_header_bytes) + " bytes."};
  }
  if (isTimeout(ec)) {
    if (nothing_received) return std::nullopt;
    return ReadFailure{Status::request_timeout, "The request was not received in time."};
  }
  return ReadFailure{Status::bad_request, "The request is not valid HTTP/1.1."};
}

// Answers an unreadable request; the connection closes after it.
awaitable<void> Server::Impl::replyToUnreadable(beast::tcp_stream& stream,
                                                const ReadFailure& failure,
                                                const ConnectionInfo& info) {
  Response reply = handler.protocolError(failure.status, failure.detail, info);
  reply.keep_alive(false);
  reply.prepare_payload();
  stream.expires_after(options.write_timeout);
  beast::error_code ec;
  co_await beast::http::async_write(stream, reply, asio::redirect_error(use_awaitable, ec));
}

// One connection: reads requests and answers them in order until the client or the server ends
// it. The read, the handler call and the write of a request stay in this frame: a helper
// coroutine would cost a frame allocation per request.
awaitable<void> Server::Impl::session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  const ConnectionInfo info = connectionInfo(stream);
  const auto state = std::make_shared<SessionState>();
  state->stream = &stream;
  const auto registration = registerSession(state);

  beast::flat_buffer buffer;
  bool first = true;
  bool close_lingering = false;
  while (!stopping.load() || first) {
    RequestParser parser;
    limit(parser);
    beast::error_code ec;

    state->idle = true;
    stream.expires_after(first ? options.header_timeout : options.idle_timeout);
    co_await beast::http::async_read_header(stream, buffer, parser,
                                            asio::redirect_error(use_awaitable, ec));
    state->idle = false;
    first = false;
    if (!ec && !parser.is_done()) {
      stream.expires_after(options.header_timeout);
      co_await beast::http::async_read(stream, buffer, parser,
                                       asio::redirect_error(use_awaitable, ec));
    }
    if (ec) {
      const auto failure = readFailure(ec, buffer.size() == 0 && !parser.got_some());
      if (failure) {
        co_await replyToUnreadable(stream, *failure, info);
        close_lingering = !isTimeout(ec);
      }
      break;
    }

    Request request = parser.release();
    const bool client_keep_alive = request.keep_alive();
    const bool keep_alive = client_keep_alive && !stopping.load();
    const unsigned version = request.version();
    ConnectionDeferral deferral(wake_gate);
    Response reply = handler.handle(std::move(request), info, deferral);
    if (deferral.channel) {
      // `idle` stays false: a graceful stop lets the deferred response finish within the grace.
      const bool reusable = co_await detail::sendDeferred(
          stream, std::move(deferral.channel),
          {version, client_keep_alive, &stopping, options.write_timeout, &handler, &info});
      if (!reusable) break;
      continue;
    }
    prepareReply(stream, reply, keep_alive);
    co_await beast::http::async_write(stream, reply, asio::redirect_error(use_awaitable, ec));
    if (ec || !keep_alive) break;
  }

  if (close_lingering) {
    co_await lingeringClose(stream);
  } else {
    closeNow(stream);
  }
  endSession(registration);
}

void Server::Impl::sessionEnded() {
  if (open_sessions.fetch_sub(1) == 1 && stopping.load()) {
    asio::post(io, [this] { grace_timer.cancel(); });
  }
}

void Server::Impl::beginShutdown() {
  if (stopping.exchange(true)) return;
  log::info("http.shutdown", {{"open_connections", open_sessions.load()},
                              {"grace_ms", options.shutdown_grace.count()}});
  beast::error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  {
    const util::MutexLock lock(sessions_mutex);
    for (const auto& s : sessions) {
      // Runs on the session's strand, where `idle` and `stream` may be read safely.
      asio::post(s->stream->get_executor(), [s] {
        if (s->stream != nullptr && s->idle) s->stream->cancel();
      });
    }
  }
  if (open_sessions.load() == 0) return;
  grace_timer.expires_after(options.shutdown_grace);
  grace_timer.async_wait([this](const beast::error_code& wait_ec) {
    if (!wait_ec) {
      log::warn("http.shutdown_grace_expired", {{"open_connections", open_sessions.load()}});
      io.stop();
    }
  });
}

Server::Server(ServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {
  auto& o = impl_->options;
  const auto address = asio::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host);
  const tcp::endpoint endpoint(address, o.port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
}

Server::~Server() = default;

std::uint16_t Server::port() const noexcept {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Server::stop() {
  asio::post(impl_->control, [impl = impl_.get()] { impl->beginShutdown(); });
}

void Server::run() {
  auto& impl = *impl_;
  impl.signals.async_wait([&impl](const beast::error_code& ec, int signal_number) {
    if (!ec) {
      log::info("http.signal", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
      asio::post(impl.control, [&impl] { impl.beginShutdown(); });
    }
  });
  asio::co_spawn(impl.control, impl.acceptLoop(), asio::detached);
  const unsigned threads = std::max(1u, impl.options.threads);
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&impl] { impl.io.run(); });
  impl.io.run();
  for (auto& t : pool) t.join();
  impl.wake_gate->close();
}

}  // namespace chatbot::http
