#pragma once
// A progress bar for long CLI work (ingest, eval, model downloads). Draws on stderr only when
// stderr is a terminal, so logs and CI output stay clean. Not thread-safe: drive it from one
// thread.
#include <chrono>
#include <cstddef>
#include <string>

namespace chatbot::observability {

// kBytes shows sizes, the transfer rate and the time left instead of a count.
enum class ProgressUnit { kItems, kBytes };

class ProgressBar {
 public:
  // total 0 with kBytes: size unknown, only bytes and rate are shown.
  ProgressBar(std::string label, std::size_t total, ProgressUnit unit = ProgressUnit::kItems);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void advance(std::size_t n = 1);
  // Sets the absolute progress. The first call after construction sets the starting point (e.g. the
  // bytes of a resumed download), so the rate counts only work done by this run.
  void set(std::size_t done);
  void setTotal(std::size_t total) { total_ = total; }
  bool enabled() const { return enabled_; }
  void finish();

 private:
  void draw(bool force);

  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  std::size_t start_done_ = 0;  // progress already made when this bar started
  bool started_ = false;
  ProgressUnit unit_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace chatbot::observability
