#pragma once
// Test support: a real HTTP/1.1 webhook receiver on a free loopback port. It records every request
// (method, target, headers, body) and answers from a script: the first requests get the scripted
// actions in order (answer a status, close the connection without answering, or stall past the
// client's timeout), every later one gets the fallback action (200 by default).
// One connection at a time on a background thread; every response closes the connection.
// Header-only because tests/CMakeLists.txt builds unit/*_test.cpp only.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/text.h"

namespace chatbot::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;

  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has(const std::string& name) const { return headers.contains(name); }
};

struct ReceiverAction {
  enum class Kind { kRespond, kClose, kStall };
  Kind kind = Kind::kRespond;
  int status = 200;
  std::string body;
  std::vector<std::string> headers;    // extra "Name: value" lines
  std::chrono::milliseconds stall{0};  // kStall: wait this long (or until destroyed), then close

  static ReceiverAction respond(int status, std::string body = {},
                                std::vector<std::string> headers = {}) {
    return {Kind::kRespond, status, std::move(body), std::move(headers), {}};
  }
  static ReceiverAction close() { return {Kind::kClose, 0, {}, {}, {}}; }
  static ReceiverAction stallFor(std::chrono::milliseconds how_long) {
    return {Kind::kStall, 0, {}, {}, how_long};
  }
};

class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::vector<ReceiverAction> first = {},
                           ReceiverAction then = ReceiverAction::respond(200, "{\"ok\":true}"))
      : script_(first.begin(), first.end()),
        fallback_(std::move(then)),
        acceptor_(io_,
                  boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { run(); });
  }

  ~WebhookReceiver() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();  // ends a stall
    // Wake the blocking accept with a connection of our own.
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket wake(io_);
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::string url(const std::string& path = "/hooks/tickets") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<ReceivedRequest> requests() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  std::size_t count() const {
    const std::lock_guard lock(mutex_);
    return seen_.size();
  }
  // True once at least `n` requests arrived, false after `timeout`.
  bool waitForRequests(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return seen_.size() >= n; });
  }

 private:
  void run() {
    for (;;) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      {
        const std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      if (ec) continue;
      handle(socket);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      socket.close(ec);
    }
  }

  void handle(boost::asio::ip::tcp::socket& socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    boost::system::error_code ec;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    ReceivedRequest seen;
    seen.method = std::string(request.method_string());
    seen.target = std::string(request.target());
    for (const auto& field : request.base()) {
      seen.headers[util::asciiLower(field.name_string())] = std::string(field.value());
    }
    seen.body = request.body();
    ReceiverAction action;
    {
      const std::lock_guard lock(mutex_);
      seen_.push_back(std::move(seen));
      if (!script_.empty()) {
        action = std::move(script_.front());
        script_.pop_front();
      } else {
        action = fallback_;
      }
    }
    changed_.notify_all();
    switch (action.kind) {
      case ReceiverAction::Kind::kClose:
        return;  // the caller closes the socket: the client sees an empty reply
      case ReceiverAction::Kind::kStall: {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, action.stall, [this] { return stopping_; });
        return;
      }
      case ReceiverAction::Kind::kRespond: {
        std::string out = "HTTP/1.1 " + std::to_string(action.status) + " Status\r\n";
        out += "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(action.body.size()) + "\r\nConnection: close\r\n";
        for (const auto& h : action.headers) out += h + "\r\n";
        out += "\r\n" + action.body;
        boost::asio::write(socket, boost::asio::buffer(out), ec);
        return;
      }
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ReceiverAction> script_;  // guarded by mutex_
  ReceiverAction fallback_;            // guarded by mutex_
  std::vector<ReceivedRequest> seen_;  // guarded by mutex_
  bool stopping_ = false;              // guarded by mutex_
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A loopback port with nothing listening on it (bound, then released).
inline std::uint16_t closedLoopbackPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// A Retry-After header with an HTTP-date (RFC 9110) `seconds_from_now` in the future.
inline std::string retryAfterHttpDate(int seconds_from_now) {
  const std::time_t when = std::time(nullptr) + seconds_from_now;
  std::tm utc{};
  gmtime_r(&when, &utc);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return std::string("Retry-After: ") + date;
}

}  // namespace chatbot::testing
