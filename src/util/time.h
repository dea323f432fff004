#pragma once
#include <chrono>
#include <string>

namespace chatbot::util {

// ISO-8601 UTC with microseconds, e.g. "2026-11-23T21:24:05.123456Z".
std::string isoTimestamp(std::chrono::system_clock::time_point when);
inline std::string isoTimestampNow() { return isoTimestamp(std::chrono::system_clock::now()); }

// Milliseconds elapsed since `start` on the steady clock, as a double.
inline double millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace chatbot::util
