#pragma once
// Test support: runs the real `chatbot serve` binary on a free loopback port and talks HTTP/1.1 to
// it. Each ServerProcess has its own DATA_DIR and log file, removed when it is destroyed.
// clang-format off: must stay first
#include <utility>  // Boost 1.74 Asio needs it before its own headers under g++ 12
// clang-format on

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chatbot::testing {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;
using Env = std::map<std::string, std::string>;

struct HttpClient {
  explicit HttpClient(std::uint16_t port, std::map<std::string, std::string> default_headers = {});
  // One request on the client's persistent connection (reconnects if the server closed it).
  Response send(http::verb method, const std::string& target, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {
                    {"Content-Type", "application/json"}});
  Response get(const std::string& target) { return send(http::verb::get, target, "", {}); }
  Response postJson(const std::string& target, const std::string& body) {
    return send(http::verb::post, target, body);
  }
  // Sends raw bytes on a fresh connection and returns everything the server answers until it
  // closes.
  static std::string raw(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  // Sent with every request (a request's own headers win): e.g. the service desk's credential.
  std::map<std::string, std::string> default_headers;
  std::uint16_t port;
  boost::asio::io_context io;
  std::optional<boost::beast::tcp_stream> stream;
  boost::beast::flat_buffer buffer;
};

// Every ServerProcess accepts this as ADMIN_API_KEY unless its env says otherwise.
inline const std::string kTestAdminKey = "test-admin-key-0123456789abcdef0123456789";

class ServerProcess {
 public:
  // `env` is added to (and overrides) the defaults: loopback host, free port, the repo's KB,
  // a private DATA_DIR, LOG_LEVEL=info.
  explicit ServerProcess(std::map<std::string, std::string> env = {}, bool wait_ready = true);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  HttpClient client() const { return HttpClient(port_); }
  // A client that sends the admin key: for the service-desk routes (tickets, statistics).
  HttpClient adminClient() const {
    return HttpClient(port_, {{"Authorization", "Bearer " + kTestAdminKey}});
  }
  // Sends SIGTERM and waits; returns the exit status (or -1 on timeout, after SIGKILL).
  int stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  // SIGKILL, no chance to clean up: what a crash or the OOM killer does. Waits until it is gone.
  void kill();
  bool running();
  std::string log() const;  // the server's stdout+stderr so far
  const std::filesystem::path& dir() const { return dir_; }

 private:
  bool waitUntilListening(std::chrono::milliseconds timeout, bool ready);
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path dir_;
};

// A suite whose tests share one `chatbot serve` with the default settings, started before the
// first test; each test gets its own client (one keep-alive connection).
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static inline ServerProcess* server_ = nullptr;
  HttpClient client_{server_->port()};
  HttpClient admin_{server_->port(), {{"Authorization", "Bearer " + kTestAdminKey}}};
};

std::uint16_t freeLoopbackPort();

// One Server-Sent Event of a text/event-stream body; comments (heartbeats) are counted apart.
struct SseEvent {
  std::string event;
  std::string data;
};
struct SseStream {
  std::vector<SseEvent> events;
  std::size_t comments = 0;
};
SseStream parseSse(const std::string& body);

// Runs the chatbot binary with `args` to completion; returns {exit status, stdout+stderr}.
std::pair<int, std::string> runChatbot(const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& env = {});

}  // namespace chatbot::testing
