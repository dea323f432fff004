#pragma once
// Server-internal: how a deferred response travels from its handler to its connection.
//
// The handler holds a PendingResponse (PendingHandle) that queues what it is given in a
// ResponseChannel; the connection's coroutine takes it from there on the connection's strand. The
// coroutine sleeps on a steady_timer set to expire at the next heartbeat (or never); a producer
// wakes it by posting a cancel of that timer to the strand. No thread blocks while waiting.
//
// Lifetimes: the channel is shared by the handle and the coroutine. The timer and the strand
// belong to the connection and are reachable only between attach() and detach(), under the
// channel's mutex, so a producer that outlives the connection (or the whole server) only queues
// into a channel nobody reads. The server's WakeGate closes before its io_context is destroyed, so
// nothing is posted to a dead io_context either.
// clang-format off: must stay first
#include <utility>  // Boost 1.74 Asio needs it before its own headers under g++ 12
// clang-format on

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/pending_response.h"
#include "http/server.h"
#include "util/mutex.h"

namespace chatbot::http::detail {

// Open while the server's io_context runs; producers post to a strand only while it is open.
struct WakeGate {
  util::SharedMutex mutex;
  bool open GUARDED_BY(mutex) = true;
  void close() EXCLUDES(mutex) {
    const util::WriterMutexLock lock(mutex);
    open = false;
  }
};

// The connection's means to be woken: lives in the connection's coroutine frame.
struct Waker {
  explicit Waker(const boost::asio::any_io_executor& strand) : executor(strand), timer(strand) {}
  boost::asio::any_io_executor executor;  // the connection's strand
  boost::asio::steady_timer timer;        // touched only on that strand
};

class ResponseChannel : public std::enable_shared_from_this<ResponseChannel> {
 public:
  // What the connection takes in one go: what was queued since its last take, in order.
  struct Batch {
    std::optional<Response> whole;  // complete(); nothing else matters then
    std::optional<Response> head;   // beginStream()
    std::string body;               // write()s, concatenated: chunk boundaries carry no meaning
    bool ended = false;
    bool abandoned = false;  // the handler let go of it unfinished
    bool empty() const noexcept { return !whole && !head && body.empty() && !ended && !abandoned; }
  };

  explicit ResponseChannel(std::shared_ptr<WakeGate> gate) : gate_(std::move(gate)) {}

  // Producer side, any thread (through PendingHandle).
  void complete(Response response);
  void beginStream(Response head);
  bool write(const std::string& chunk);
  void end();
  void abandon();
  void heartbeat(std::string chunk, std::chrono::milliseconds interval);
  void onClientGone(std::function<void()> callback);
  bool clientGone() const noexcept { return gone_.load(std::memory_order_acquire); }

  // Connection side, on its strand only.
  void attach(Waker& waker);
  // The connection is done with this response: it wakes nobody any more and drops the callback.
  void detach();
  Batch take();
  std::pair<std::string, std::chrono::milliseconds> heartbeatSettings() const;
  // The client disconnected (or a write failed): runs the onClientGone callback here.
  void markClientGone();
  // Watches the idle socket for the client closing it; see watchForDisconnect().
  bool watching() const noexcept { return watching_; }
  void stopWatching() noexcept { watching_ = false; }

 private:
  enum class Phase { kWaiting, kStreaming, kFinished };
  void wakeLocked() REQUIRES(mutex_);
  void wokenOnStrand();

  const std::shared_ptr<WakeGate> gate_;
  std::atomic<bool> gone_{false};
  mutable util::Mutex mutex_;
  // Everything below is guarded by mutex_, except watching_ (strand only).
  Phase phase_ GUARDED_BY(mutex_) = Phase::kWaiting;
  Batch queued_ GUARDED_BY(mutex_);
  Waker* waker_ GUARDED_BY(mutex_) = nullptr;
  // At most one wake in flight: a token stream posts once per take.
  bool wake_posted_ GUARDED_BY(mutex_) = false;
  std::function<void()> on_gone_ GUARDED_BY(mutex_);
  std::string heartbeat_chunk_ GUARDED_BY(mutex_);
  std::chrono::milliseconds heartbeat_interval_ GUARDED_BY(mutex_){0};
  bool watching_ = false;
};

// What the handler holds. Its destruction tells the connection that no more will come.
class PendingHandle final : public PendingResponse {
 public:
  explicit PendingHandle(std::shared_ptr<ResponseChannel> channel) : channel_(std::move(channel)) {}
  ~PendingHandle() override { channel_->abandon(); }
  PendingHandle(const PendingHandle&) = delete;
  PendingHandle& operator=(const PendingHandle&) = delete;

  void complete(Response response) override { channel_->complete(std::move(response)); }
  void beginStream(Response head) override { channel_->beginStream(std::move(head)); }
  bool write(std::string chunk) override { return channel_->write(chunk); }
  void end() override { channel_->end(); }
  bool clientGone() const override { return channel_->clientGone(); }
  void onClientGone(std::function<void()> callback) override {
    channel_->onClientGone(std::move(callback));
  }
  void heartbeat(std::string chunk, std::chrono::milliseconds interval) override {
    channel_->heartbeat(std::move(chunk), interval);
  }

 private:
  const std::shared_ptr<ResponseChannel> channel_;
};

// How the connection sends one deferred response.
struct DeferredSend {
  unsigned version = 11;
  bool keep_alive = true;             // as the client asked; dropped when the server is stopping
  const std::atomic<bool>* stopping;  // the server's flag
  std::chrono::milliseconds write_timeout;
  RequestHandler* handler;  // for the 500 when the handler drops the response unfinished
  const ConnectionInfo* connection;
};

// Waits for the channel's response and writes it. True when the connection may serve another
// request; false when it must close (client gone, write failed, stream cut short, no keep-alive).
boost::asio::awaitable<bool> sendDeferred(boost::beast::tcp_stream& stream,
                                          std::shared_ptr<ResponseChannel> channel,
                                          DeferredSend how);

}  // namespace chatbot::http::detail
