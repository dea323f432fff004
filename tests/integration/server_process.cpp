#include "server_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "util/file.h"

namespace chatbot::testing {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

SseStream parseSse(const std::string& body) {
  SseStream out;
  SseEvent current;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    const std::string line = body.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      if (!current.event.empty() || !current.data.empty()) out.events.push_back(std::move(current));
      current = {};
    } else if (line[0] == ':') {
      ++out.comments;
    } else if (line.rfind("event: ", 0) == 0) {
      current.event = line.substr(7);
    } else if (line.rfind("data: ", 0) == 0) {
      if (!current.data.empty()) current.data += '\n';
      current.data += line.substr(6);
    }
  }
  return out;
}

HttpClient::HttpClient(std::uint16_t p, std::map<std::string, std::string> headers)
    : default_headers(std::move(headers)), port(p) {}

Response HttpClient::send(http::verb method, const std::string& target, const std::string& body,
                          const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!stream) {
      stream.emplace(io);
      stream->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
      buffer.clear();
    }
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : default_headers) req.set(k, v);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    boost::beast::error_code ec;
    stream->expires_after(std::chrono::seconds(30));
    http::write(*stream, req, ec);
    Response res;
    if (!ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      if (method == http::verb::head) parser.skip(true);
      http::read(*stream, buffer, parser, ec);
      if (!ec) {
        res = parser.release();
        if (!res.keep_alive()) stream.reset();
        return res;
      }
    }
    stream.reset();  // the server closed an idle keep-alive connection: retry once on a new one
    if (attempt == 1) throw boost::beast::system_error(ec);
  }
  throw std::logic_error("unreachable");
}

std::string HttpClient::raw(std::uint16_t port, const std::string& bytes,
                            std::chrono::milliseconds timeout) {
  asio::io_context io;
  boost::beast::tcp_stream s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  s.expires_after(timeout);
  boost::beast::error_code ec;
  asio::write(s, asio::buffer(bytes), ec);
  std::string out;
  char chunk[4096];
  while (!ec) {
    const std::size_t n = s.read_some(asio::buffer(chunk), ec);
    out.append(chunk, n);
  }
  return out;
}

ServerProcess::ServerProcess(std::map<std::string, std::string> env, bool wait_ready) {
  dir_ = fs::temp_directory_path() /
         ("chatbot-it-" + std::to_string(::getpid()) + "-" +
          std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  fs::create_directories(dir_);
  const std::string repo = CHATBOT_REPO_DIR;
  std::map<std::string, std::string> vars = {
      {"HOST", "127.0.0.1"},
      {"KB_DIR", repo + "/data/kb"},
      {"SYNONYMS_FILE", repo + "/data/synonyms.txt"},
      {"WEB_DIR", repo + "/web/node_modules/swagger-ui-dist"},
      {"DATA_DIR", (dir_ / "data").string()},
      {"LOG_LEVEL", "info"},
      {"THREADS", "2"},
      {"ADMIN_API_KEY", kTestAdminKey},
      // The suites send many requests from one address; the limits have tests of their own.
      {"RATE_LIMIT_CHAT_PER_MINUTE", "0"},
      {"RATE_LIMIT_TICKETS_PER_HOUR", "0"}};
  for (auto& [k, v] : env) vars[k] = v;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = freeLoopbackPort();
    if (!env.count("PORT")) vars["PORT"] = std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int out = ::open((dir_ / "server.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      ::chdir(dir_.c_str());  // no stray .env from the developer's checkout
      for (const auto& [k, v] : vars) ::setenv(k.c_str(), v.c_str(), 1);
      ::execl(CHATBOT_BINARY, CHATBOT_BINARY, "serve", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (waitUntilListening(std::chrono::seconds(60), wait_ready)) return;
    if (running()) break;  // listening failed for another reason than the port
  }
  throw std::runtime_error("chatbot serve did not start; log:\n" + log());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) stop(std::chrono::milliseconds(5000));
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

bool ServerProcess::waitUntilListening(std::chrono::milliseconds timeout, bool ready) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    try {
      HttpClient c(port_);
      const auto res = c.get("/api/v1/chat/health");
      if (!ready || res.result_int() == 200) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

void ServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::log() const {
  try {
    return util::readFile(dir_ / "server.log");
  } catch (const std::runtime_error&) {
    return {};  // the server has not written anything yet
  }
}

std::pair<int, std::string> runChatbot(const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& env) {
  const fs::path out =
      fs::temp_directory_path() / ("chatbot-cli-" + std::to_string(::getpid()) + ".log");
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(CHATBOT_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(CHATBOT_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::string output = util::readFile(out);
  fs::remove(out);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), std::move(output)};
}

}  // namespace chatbot::testing
