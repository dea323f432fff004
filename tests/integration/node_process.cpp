#include "node_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "util/file.h"
#include "util/text.h"

namespace chatbot::testing {

namespace fs = std::filesystem;

std::optional<fs::path> findNode() {
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): tests set no env
  for (const std::string_view dir : util::split(path ? path : "", ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

NodeProcess::NodeProcess(const fs::path& script, const std::vector<std::string>& args) {
  const std::optional<fs::path> node = findNode();
  if (!node) throw std::runtime_error("node is not on PATH");
  static std::atomic<int> counter{0};
  log_path_ = fs::temp_directory_path() / ("chatbot-node-" + std::to_string(::getpid()) + "-" +
                                           std::to_string(counter++) + ".log");
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  std::vector<std::string> argv_strings = {node->string(), script.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in[0], STDIN_FILENO);  // dup2 clears O_CLOEXEC on the copies
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  if (pid_ < 0) {
    ::close(in[1]);
    ::close(out[0]);
    throw std::runtime_error("fork failed");
  }
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
}

NodeProcess::~NodeProcess() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  std::error_code ignored;
  fs::remove(log_path_, ignored);
}

std::string NodeProcess::readLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const std::size_t end = pending_.find('\n'); end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd readable{stdout_fd_, POLLIN, 0};
    const int ready = left.count() > 0 ? ::poll(&readable, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      throw std::runtime_error("node printed no line within " + std::to_string(timeout.count()) +
                               " ms; its stderr:\n" + errorLog());
    }
    char chunk[4096];
    const ssize_t got = ::read(stdout_fd_, chunk, sizeof chunk);
    if (got <= 0) throw std::runtime_error("node exited; its stderr:\n" + errorLog());
    pending_.append(chunk, static_cast<std::size_t>(got));
  }
}

std::string NodeProcess::errorLog() const {
  try {
    return util::readFile(log_path_);
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace chatbot::testing
