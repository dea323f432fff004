#pragma once
// A progress bar for long CLI work (ingest, eval). Draws on stderr only when stderr is a terminal,
// so logs and CI output stay clean. Not thread-safe: drive it from one thread.
#include <chrono>
#include <cstddef>
#include <string>

namespace chatbot::observability {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void advance(std::size_t n = 1);
  void finish();

 private:
  void draw(bool force);

  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace chatbot::observability
