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

// sendDeferred's state and its steps that do not suspend. Lives in sendDeferred's coroutine frame
// and is used only on the connection's strand. Every co_await stays in sendDeferred (writeBody
// excepted, a coroutine as before): a helper coroutine per step would add a frame allocation per
// response.
class DeferredWriter {
 public:
  DeferredWriter(beast::tcp_stream& stream, ResponseChannel& channel, const DeferredSend& how)
      : stream_(stream), channel_(channel), how_(how) {}

  // HTTP/1.0 has no chunks: a streamed body ends when the connection closes.
  bool chunked() const noexcept { return how_.version >= 11; }
  bool streaming() const noexcept { return streaming_; }
  // As the client asked, unless the server is stopping.
  bool keepAlive() const { return how_.keep_alive && !how_.stopping->load(); }

  // The completion token of every write: its error is what failed() looks at.
  auto storeError() { return asio::redirect_error(use_awaitable, ec_); }
  // Whether the latest write failed; a failed write means the client is gone.
  bool failed() {
    if (!ec_) return false;
    channel_.markClientGone();
    return true;
  }
  // Cancels the disconnect watch (the connection reads the socket next) and returns `reusable`.
  bool finish(bool reusable) {
    if (channel_.watching()) {
      channel_.stopWatching();
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
    }
    return reusable;
  }

  // Readies a complete response for its write (keep-alive, length, deadline); returns whether the
  // connection stays open after it.
  bool prepareComplete(Response& reply) {
    const bool keep = keepAlive();
    reply.keep_alive(keep);
    if (!reply.has_content_length()) reply.prepare_payload();
    stream_.expires_after(how_.write_timeout);
    return keep;
  }
  // The 500 for a response its handler dropped before starting it.
  Response abandonedReply() const {
    Response reply = how_.handler->protocolError(
        Status::internal_server_error, "The server could not produce a response. Retry later.",
        *how_.connection);
    reply.prepare_payload();
    return reply;
  }
  // The header of a streamed response, ready for its write.
  beast::http::response<beast::http::empty_body> streamHead(Response& head_fields) {
    beast::http::response<beast::http::empty_body> head{std::move(head_fields.base())};
    head.erase(beast::http::field::content_length);
    const bool keep = chunked() && keepAlive();
    head.keep_alive(keep);
    // Said explicitly (Beast leaves it implicit in HTTP/1.1): SSE clients and proxies look for it.
    if (keep) head.set(beast::http::field::connection, "keep-alive");
    if (chunked()) head.chunked(true);
    stream_.expires_after(how_.write_timeout);
    return head;
  }
  // The head went out: the body follows, with heartbeats if the handler asked for them.
  void startStreaming() {
    streaming_ = true;
    last_write_ = Clock::now();
    std::tie(heartbeat_chunk_, heartbeat_interval_) = channel_.heartbeatSettings();
  }
  // Every body write goes through here: a chunk (or raw bytes in HTTP/1.0), with its deadline.
  asio::awaitable<bool> writeBody(std::string_view data) {
    stream_.expires_after(how_.write_timeout);
    if (chunked()) {
      co_await asio::async_write(stream_, beast::http::make_chunk(asio::buffer(data)),
                                 storeError());
    } else {
      co_await asio::async_write(stream_, asio::buffer(data), storeError());
    }
    last_write_ = Clock::now();
    co_return !failed();
  }
  // Sets the timer for the next heartbeat, or for never; returns whether a heartbeat is due then.
  bool armTimer(asio::steady_timer& timer) const {
    const bool beats = streaming_ && heartbeat_interval_.count() > 0 && !heartbeat_chunk_.empty();
    timer.expires_at(beats ? last_write_ + heartbeat_interval_ : Clock::time_point::max());
    return beats;
  }
  // After a wait that armTimer() said ends in a heartbeat: whether to send it now. A cancelled wait
  // means something was queued (or the client left): the caller looks at that first.
  bool heartbeatDue(const beast::error_code& wait_ec) const {
    return !wait_ec && !channel_.clientGone() && Clock::now() >= last_write_ + heartbeat_interval_;
  }
  const std::string& heartbeatChunk() const noexcept { return heartbeat_chunk_; }

 private:
  beast::tcp_stream& stream_;
  ResponseChannel& channel_;
  const DeferredSend& how_;
  bool streaming_ = false;
  std::string heartbeat_chunk_;
  std::chrono::milliseconds heartbeat_interval_{0};
  Clock::time_point last_write_ = Clock::now();
  beast::error_code ec_;  // of the latest write
};

}  // namespace

asio::awaitable<bool> sendDeferred(beast::tcp_stream& stream,
                                   std::shared_ptr<ResponseChannel> channel, DeferredSend how) {
  Waker waker(stream.get_executor());
  const Attachment attachment(*channel, waker);
  watchForDisconnect(stream.socket(), channel);
  DeferredWriter out(stream, *channel, how);
  for (;;) {
    ResponseChannel::Batch batch = channel->take();
    if (batch.whole) {
      const bool keep = out.prepareComplete(*batch.whole);
      co_await beast::http::async_write(stream, *batch.whole, out.storeError());
      co_return out.finish(!out.failed() && keep);
    }
    if (batch.head) {
      auto head = out.streamHead(*batch.head);
      beast::http::response_serializer<beast::http::empty_body> serializer{head};
      co_await beast::http::async_write_header(stream, serializer, out.storeError());
      if (out.failed()) co_return out.finish(false);
      out.startStreaming();
    }
    if (out.streaming() && !batch.body.empty()) {
      const bool written = co_await out.writeBody(batch.body);
      if (!written) co_return out.finish(false);
    }
    if (batch.abandoned) {
      // Mid-stream there is no status left to send: closing without the last chunk tells the
      // client that the body is incomplete.
      if (out.streaming()) co_return out.finish(false);
      Response reply = out.abandonedReply();
      const bool keep = out.prepareComplete(reply);
      co_await beast::http::async_write(stream, reply, out.storeError());
      co_return out.finish(!out.failed() && keep);
    }
    if (batch.ended) {
      if (!out.chunked()) co_return out.finish(false);
      stream.expires_after(how.write_timeout);
      co_await asio::async_write(stream, beast::http::make_chunk_last(), out.storeError());
      co_return out.finish(!out.failed() && out.keepAlive());
    }
    if (!batch.empty()) continue;  // the writes above yielded the strand: more may have come
    if (channel->clientGone()) co_return out.finish(false);

    // Nothing queued, and no producer can have woken us since take(): we have not yielded.
    const bool beats = out.armTimer(waker.timer);
    beast::error_code wait_ec;
    co_await waker.timer.async_wait(asio::redirect_error(use_awaitable, wait_ec));
    if (beats && out.heartbeatDue(wait_ec)) {
      const bool written = co_await out.writeBody(out.heartbeatChunk());
      if (!written) co_return out.finish(false);
    }
  }
}

}  // namespace chatbot::http::detail
