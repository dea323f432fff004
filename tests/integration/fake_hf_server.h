#pragma once
// Test support: a small HTTP/1.1 server on a free loopback port that serves one file the way
// Hugging Face does: GET /<repo>/resolve/main/<file> answers 302 to /cdn/<file> with the file's
// sha256 in X-Linked-Etag (or, without the redirect, serves it with the sha256 as ETag). Range
// requests get 206. It can misbehave on purpose: drop the connection part-way on the first
// transfer, serve wrong bytes, answer 5xx a few times, or answer a fixed error status.
// One connection at a time on a background thread; every response closes the connection.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chatbot::testing {

struct FakeHfOptions {
  std::string repo = "test-org/Test-Model-GGUF";
  std::string file = "test-model-q4_k_m.gguf";
  std::string body;              // the file's bytes
  std::string announced_sha256;  // default: the sha256 of `body`; "none": announce no hash
  bool redirect = true;          // like huggingface.co: 302 to a "CDN" path, hash in X-Linked-Etag
  std::string cdn_host;          // redirect to http://<cdn_host>:<port>/cdn/..., another name for
                                 // this server (e.g. "localhost"); empty: a relative Location
  bool honour_range = true;      // false: always 200 with the whole file
  std::size_t drop_after = 0;    // first file transfer: close after this many body bytes (0: never)
  bool wrong_body = false;       // serve different bytes of the same length under the same hash
  int fail_first = 0;            // answer this many requests with 503 before serving
  int status = 0;                // answer every request with this status (e.g. 401, 404)
};

struct SeenRequest {
  std::string target;
  std::string range;          // Range header, "" if none
  std::string authorization;  // Authorization header, "" if none
};

class FakeHfServer {
 public:
  explicit FakeHfServer(FakeHfOptions options);
  ~FakeHfServer();
  FakeHfServer(const FakeHfServer&) = delete;
  FakeHfServer& operator=(const FakeHfServer&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string fileUrl() const {
    return endpoint() + "/" + options_.repo + "/resolve/main/" + options_.file;
  }
  std::vector<SeenRequest> requests() const;

 private:
  void run();
  void handle(boost::asio::ip::tcp::socket& socket);

  FakeHfOptions options_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  bool dropped_ = false;  // only touched on the server thread
  int failures_left_ = 0;
  mutable std::mutex mutex_;
  std::vector<SeenRequest> seen_;  // guarded by mutex_
  std::thread thread_;
};

// `size` bytes that do not repeat in short cycles, so a misplaced range changes the hash.
std::string pseudoRandomBytes(std::size_t size, std::uint32_t seed = 42);

}  // namespace chatbot::testing
