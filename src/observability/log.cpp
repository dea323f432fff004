#include "observability/log.h"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "util/time.h"

namespace chatbot::log {

namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

spdlog::level::level_enum toSpd(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kCritical:
      return spdlog::level::critical;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    spdlog::init_thread_pool(16384, 1);
    auto l = spdlog::create_async_nb<spdlog::sinks::stdout_sink_mt>("chatbot");
    l->set_pattern("%v");
    l->flush_on(spdlog::level::warn);
    return l;
  }();
  return instance;
}

}  // namespace

void init(Level level) {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
  auto l = logger();
  l->set_level(toSpd(level));
  spdlog::flush_every(std::chrono::seconds(1));
}

void shutdown() {
  logger()->flush();
}

bool enabled(Level level) noexcept {
  const int current = g_level.load(std::memory_order_relaxed);
  return current != static_cast<int>(Level::kOff) && static_cast<int>(level) >= current;
}

void write(Level level, std::string_view event, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = util::isoTimestampNow();
  line["level"] = config::toString(level);
  line["event"] = event;
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[k] = v;
  }
  // `replace` keeps a log line valid JSON even if a field carries invalid UTF-8.
  logger()->log(toSpd(level), line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace chatbot::log
