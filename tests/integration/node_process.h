#pragma once
// Test support: runs a Node.js script as a child process, such as the mock OIDC provider
// (tests/oidc/mock_provider.mjs). Its stdin is a pipe that the destructor closes (a script may
// exit when it does, so none outlives a crashed test), its stdout a pipe the test reads lines
// from, its stderr a log file kept for error messages.
//
// One NodeProcess per child; not thread-safe. A script should print little: once the test stops
// reading, a full stdout pipe would block it.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace chatbot::testing {

// The node executable on PATH, or nullopt when there is none.
std::optional<std::filesystem::path> findNode();

class NodeProcess {
 public:
  // Starts `node script args...`. Throws std::runtime_error when node is not on PATH or the
  // process cannot be started.
  NodeProcess(const std::filesystem::path& script, const std::vector<std::string>& args);
  ~NodeProcess();  // closes stdin, then SIGTERM; SIGKILL if it is still there after 5 s
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // The next line the script prints (without the newline). Throws std::runtime_error, with the
  // script's stderr, when it exits or prints no whole line within `timeout`.
  std::string readLine(std::chrono::milliseconds timeout);
  // What the script wrote to stderr so far.
  std::string errorLog() const;

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;    // write end of the child's stdin
  int stdout_fd_ = -1;   // read end of the child's stdout
  std::string pending_;  // read from stdout, not yet returned as a line
  std::filesystem::path log_path_;
};

}  // namespace chatbot::testing
