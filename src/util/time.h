#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace chatbot::util {

// ISO-8601 UTC with microseconds, e.g. "2026-11-23T21:24:05.123456Z".
std::string isoTimestamp(std::chrono::system_clock::time_point when);
inline std::string isoTimestampNow() {
  return isoTimestamp(std::chrono::system_clock::now());
}

// Wall-clock milliseconds since the Unix epoch (the store's EpochMs), and its ISO-8601 form.
inline std::int64_t epochMsNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
inline std::string isoTimestampFromEpochMs(std::int64_t epoch_ms) {
  return isoTimestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(epoch_ms)));
}

// Milliseconds elapsed since `start` on the steady clock, as a double.
inline double millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace chatbot::util
