#pragma once
// Structured logging: one JSON object per line on stdout, written by an spdlog async logger so a
// slow stdout never stalls request threads. Thread-safe after init().
#include <nlohmann/json.hpp>
#include <string_view>

#include "config/config.h"

namespace chatbot::log {

using Level = config::LogLevel;

// Installs the logger. Safe to call more than once (later calls replace the level).
void init(Level level);
// Flushes pending lines; call before exit.
void shutdown();
bool enabled(Level level) noexcept;

// Writes {"ts","level","event", ...fields}. `fields` must be an object (or null).
void write(Level level, std::string_view event, const nlohmann::json& fields = nullptr);

inline void debug(std::string_view e, const nlohmann::json& f = nullptr) {
  write(Level::kDebug, e, f);
}
inline void info(std::string_view e, const nlohmann::json& f = nullptr) {
  write(Level::kInfo, e, f);
}
inline void warn(std::string_view e, const nlohmann::json& f = nullptr) {
  write(Level::kWarning, e, f);
}
inline void error(std::string_view e, const nlohmann::json& f = nullptr) {
  write(Level::kError, e, f);
}

}  // namespace chatbot::log
