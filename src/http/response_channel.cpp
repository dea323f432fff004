#include "http/response_channel.h"

#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>

namespace chatbot::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

void ResponseChannel::complete(Response response) {
  const util::MutexLock lock(mutex_);
  if (phase_ != Phase::kWaiting) return;
  phase_ = Phase::kFinished;
  queued_.whole = std::move(response);
  wakeLocked();
}

void ResponseChannel::beginStream(Response head) {
  const util::MutexLock lock(mutex_);
  if (phase_ != Phase::kWaiting) return;
  phase_ = Phase::kStreaming;
  queued_.head = std::move(head);
  wakeLocked();
}

bool ResponseChannel::write(const std::string& chunk) {
  if (clientGone()) return false;
  const util::MutexLock lock(mutex_);
  if (phase_ != Phase::kStreaming || chunk.empty()) return true;
  queued_.body += chunk;
  wakeLocked();
  return true;
}

void ResponseChannel::end() {
  const util::MutexLock lock(mutex_);
  if (phase_ == Phase::kFinished) return;
  // end() without beginStream() is a handler bug: the connection answers it like an abandoned one.
  if (phase_ == Phase::kWaiting) queued_.abandoned = true;
  phase_ = Phase::kFinished;
  queued_.ended = true;
  wakeLocked();
}

void ResponseChannel::abandon() {
  const util::MutexLock lock(mutex_);
  if (phase_ == Phase::kFinished) return;
  phase_ = Phase::kFinished;
  queued_.abandoned = true;
  wakeLocked();
}

void ResponseChannel::heartbeat(std::string chunk, std::chrono::milliseconds interval) {
  const util::MutexLock lock(mutex_);
  heartbeat_chunk_ = std::move(chunk);
  heartbeat_interval_ = interval;
}

void ResponseChannel::onClientGone(std::function<void()> callback) {
  {
    const util::MutexLock lock(mutex_);
    if (!clientGone()) {
      on_gone_ = std::move(callback);
      return;
    }
  }
  callback();
}

void ResponseChannel::wakeLocked() {
  if (waker_ == nullptr || wake_posted_) return;
  const util::ReaderMutexLock gate_lock(gate_->mutex);
  if (!gate_->open) return;
  wake_posted_ = true;
  asio::post(waker_->executor, [self = shared_from_this()] { self->wokenOnStrand(); });
}

void ResponseChannel::wokenOnStrand() {
  const util::MutexLock lock(mutex_);
  wake_posted_ = false;
  if (waker_ != nullptr) waker_->timer.cancel();
}

void ResponseChannel::attach(Waker& waker) {
  const util::MutexLock lock(mutex_);
  waker_ = &waker;
  watching_ = true;
}

void ResponseChannel::detach() {
  std::function<void()> callback;
  {
    const util::MutexLock lock(mutex_);
    waker_ = nullptr;
    watching_ = false;
    callback = std::move(on_gone_);  // destroyed outside the lock: it may own the handle
  }
}

ResponseChannel::Batch ResponseChannel::take() {
  const util::MutexLock lock(mutex_);
  Batch out = std::move(queued_);
  queued_ = Batch{};
  return out;
}

std::pair<std::string, std::chrono::milliseconds> ResponseChannel::heartbeatSettings() const {
  const util::MutexLock lock(mutex_);
  return {heartbeat_chunk_, heartbeat_interval_};
}

void ResponseChannel::markClientGone() {
  std::function<void()> callback;
  {
    const util::MutexLock lock(mutex_);
    if (gone_.exchange(true, std::memory_order_acq_rel)) return;
    callback = std::move(on_gone_);
    if (waker_ != nullptr) waker_->timer.cancel();
  }
  if (callback) callback();
}

namespace {

// Arms a one-shot watch for the client closing the socket while the response is not being written.
// A readable socket with nothing to read (recv == 0) or an error means the client is gone; readable
// data means it pipelined its next request, so it is still there and the watch ends. Runs on the
// connection's strand (the socket's executor); `socket` is touched only while the channel is
// watched, which the connection ends before the socket goes away.
void watchForDisconnect(tcp::socket& socket, const std::shared_ptr<ResponseChannel>& channel) {
  socket.async_wait(tcp::socket::wait_read, [&socket, channel](const beast::error_code& ec) {
    if (ec || !channel->watching()) return;
    char byte = 0;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) {
      channel->stopWatching();
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      watchForDisconnect(socket, channel);
    } else {
      channel->markClientGone();
    }
  });
}

// Ends the connection's use of the channel however the coroutine leaves, including when its frame
// is destroyed with the io_context.
struct Attachment {
  Attachment(ResponseChannel& c, Waker& waker) : channel(c) { channel.attach(waker); }
  ~Attachment() { channel.detach(); }
  Attachment(const Attachment&) = delete;
  Attachment& operator=(const Attachment&) = delete;
  ResponseChannel& channel;
};

}  // namespace

asio::awaitable<bool> sendDeferred(beast::tcp_stream& stream, std::shared_ptr<ResponseChannel> channel,
                                   DeferredSend how) {
  Waker waker(stream.get_executor());
  const Attachment attachment(*channel, waker);
  watchForDisconnect(stream.socket(), channel);
  // Cancels the watch (the connection reads the socket next) and reports whether to go on.
  auto finish = [&](bool reusable) {
    if (channel->watching()) {
      channel->stopWatching();
      beast::error_code ignored;
      stream.socket().cancel(ignored);
    }
    return reusable;
  };
  auto keepAlive = [&] { return how.keep_alive && !how.stopping->load(); };

  bool streaming = false;
  const bool chunked = how.version >= 11;  // HTTP/1.0 has no chunks: the body ends when we close
  std::string heartbeat_chunk;
  std::chrono::milliseconds heartbeat_interval{0};
  auto last_write = Clock::now();
  beast::error_code ec;

  // Every write goes through here: per-write timeout, and a failed write means the client is gone.
  auto failed = [&](const beast::error_code& write_ec) {
    if (!write_ec) return false;
    channel->markClientGone();
    return true;
  };
  auto writeBody = [&](std::string_view data) -> asio::awaitable<bool> {
    stream.expires_after(how.write_timeout);
    if (chunked) {
      co_await asio::async_write(stream, beast::http::make_chunk(asio::buffer(data)),
                                 asio::redirect_error(use_awaitable, ec));
    } else {
      co_await asio::async_write(stream, asio::buffer(data), asio::redirect_error(use_awaitable, ec));
    }
    last_write = Clock::now();
    co_return !failed(ec);
  };

  for (;;) {
    ResponseChannel::Batch batch = channel->take();
    if (batch.whole) {
      Response& reply = *batch.whole;
      const bool keep = keepAlive();
      reply.keep_alive(keep);
      if (!reply.has_content_length()) reply.prepare_payload();
      stream.expires_after(how.write_timeout);
      co_await beast::http::async_write(stream, reply, asio::redirect_error(use_awaitable, ec));
      co_return finish(!failed(ec) && keep);
    }
    if (batch.head) {
      beast::http::response<beast::http::empty_body> head{std::move(batch.head->base())};
      head.erase(beast::http::field::content_length);
      const bool keep = chunked && keepAlive();
      head.keep_alive(keep);
      // Said explicitly (Beast leaves it implicit in HTTP/1.1): SSE clients and proxies look for it.
      if (keep) head.set(beast::http::field::connection, "keep-alive");
      if (chunked) head.chunked(true);
      beast::http::response_serializer<beast::http::empty_body> serializer{head};
      stream.expires_after(how.write_timeout);
      co_await beast::http::async_write_header(stream, serializer, asio::redirect_error(use_awaitable, ec));
      if (failed(ec)) co_return finish(false);
      streaming = true;
      last_write = Clock::now();
      std::tie(heartbeat_chunk, heartbeat_interval) = channel->heartbeatSettings();
    }
    if (streaming && !batch.body.empty()) {
      const bool written = co_await writeBody(batch.body);
      if (!written) co_return finish(false);
    }
    if (batch.abandoned) {
      // Mid-stream there is no status left to send: closing without the last chunk tells the
      // client that the body is incomplete.
      if (streaming) co_return finish(false);
      Response reply = how.handler->protocolError(Status::internal_server_error,
                                                  "The server could not produce a response. Retry later.",
                                                  *how.connection);
      const bool keep = keepAlive();
      reply.keep_alive(keep);
      reply.prepare_payload();
      stream.expires_after(how.write_timeout);
      co_await beast::http::async_write(stream, reply, asio::redirect_error(use_awaitable, ec));
      co_return finish(!failed(ec) && keep);
    }
    if (batch.ended) {
      if (!chunked) co_return finish(false);
      stream.expires_after(how.write_timeout);
      co_await asio::async_write(stream, beast::http::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
      co_return finish(!failed(ec) && keepAlive());
    }
    if (!batch.empty()) continue;  // the writes above yielded the strand: more may have come
    if (channel->clientGone()) co_return finish(false);

    // Nothing queued, and no producer can have woken us since take(): we have not yielded.
    const bool beats = streaming && heartbeat_interval.count() > 0 && !heartbeat_chunk.empty();
    if (beats) {
      waker.timer.expires_at(last_write + heartbeat_interval);
    } else {
      waker.timer.expires_at(Clock::time_point::max());
    }
    beast::error_code wait_ec;
    co_await waker.timer.async_wait(asio::redirect_error(use_awaitable, wait_ec));
    // A cancelled wait means something was queued (or the client left): the loop looks first.
    if (beats && !wait_ec && !channel->clientGone() && Clock::now() >= last_write + heartbeat_interval) {
      const bool written = co_await writeBody(heartbeat_chunk);
      if (!written) co_return finish(false);
    }
  }
}

}  // namespace chatbot::http::detail
