#include "observability/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace chatbot::observability {

namespace {

std::string humanBytes(double bytes) {
  char text[32];
  if (bytes >= 1e9) {
    std::snprintf(text, sizeof text, "%.2f GB", bytes / 1e9);
  } else if (bytes >= 1e6) {
    std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.0f kB", bytes / 1e3);
  }
  return text;
}

std::string clock(double seconds) {
  const auto s = static_cast<long>(seconds);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  }
  return text;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, std::size_t total, ProgressUnit unit)
    : label_(std::move(label)),
      total_(total),
      unit_(unit),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  draw(true);
}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::advance(std::size_t n) {
  done_ += n;
  draw(done_ >= total_);
}

void ProgressBar::set(std::size_t done) {
  if (!started_) {
    started_ = true;
    start_done_ = done;
    start_ = std::chrono::steady_clock::now();
  }
  done_ = done;
  draw(total_ != 0 && done_ >= total_);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  draw(true);
  std::fputc('\n', stderr);
}

void ProgressBar::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const double fraction =
      total_ == 0 ? 1.0 : static_cast<double>(done_) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '-');
  const double secs = std::chrono::duration<double>(now - start_).count();
  if (unit_ == ProgressUnit::kBytes) {
    const double fresh = static_cast<double>(done_ - std::min(done_, start_done_));
    const double rate = secs > 0 ? fresh / secs : 0.0;
    std::string line = "\r" + label_ + " ";
    if (total_ != 0) {
      char percent[16];
      std::snprintf(percent, sizeof percent, "%5.1f%%", fraction * 100.0);
      line += "[" + bar + "] " + percent + "  " + humanBytes(static_cast<double>(done_)) + " / " +
              humanBytes(static_cast<double>(total_));
    } else {
      line += humanBytes(static_cast<double>(done_));
    }
    line += "  " + humanBytes(rate) + "/s";
    if (total_ != 0 && rate > 0 && done_ < total_) {
      line += "  ETA " + clock(static_cast<double>(total_ - done_) / rate);
    }
    std::fprintf(stderr, "%s\033[K", line.c_str());  // \033[K clears what a longer line left
    std::fflush(stderr);
    return;
  }
  std::fprintf(stderr, "\r%-18s [%s] %5.1f%%  %zu/%zu  %.1fs", label_.c_str(), bar.c_str(),
               fraction * 100.0, done_, total_, secs);
  std::fflush(stderr);
}

}  // namespace chatbot::observability
