#pragma once
// Typed helpers that declare a setting (internal to src/config). Each takes the Config member the
// setting fills as a member pointer, so the parser's result type must match the member's type, and
// the default text is the member's initialiser formatted the way `.env.example` shows it.
#include <chrono>
#include <concepts>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/value_parsing.h"
#include "util/text.h"

namespace chatbot::config::declare {

// The text form of a value: what `.env.example` shows and what parses back to the same value.
inline std::string format(const std::string& value) {
  return value;
}
inline std::string format(const std::filesystem::path& value) {
  return value.string();
}
inline std::string format(bool value) {
  return value ? "true" : "false";
}
inline std::string format(double value) {
  return util::formatNumber(value);
}
template <std::integral T>
std::string format(T value) {
  return std::to_string(value);
}
template <typename Rep, typename Period>
std::string format(std::chrono::duration<Rep, Period> value) {
  return std::to_string(value.count());
}
template <typename E>
requires std::is_enum_v<E> std::string format(E value) {
  return std::string(toString(value));
}
inline std::string format(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

// The general form: `parser(name, text)` returns the member's new value or throws ConfigError.
template <typename T, typename Parser>
Setting field(std::string name, T Config::*member, Parser parser, std::string help) {
  Setting s;
  s.name = std::move(name);
  s.subsystem = Subsystem::kGeneral;  // group() sets the real one
  s.description = std::move(help);
  s.apply = [name = s.name, member, parser](Config& config, const std::string& text) {
    config.*member = parser(name, text);
  };
  s.format = [member](const Config& config) { return format(config.*member); };
  s.default_value = s.format(Config{});
  return s;
}

// The integer type an integer setting's text is stored as: the member's, or its duration's count.
template <typename T>
struct CountOf {
  using type = T;
};
template <typename Rep, typename Period>
struct CountOf<std::chrono::duration<Rep, Period>> {
  using type = Rep;
};

// An integer (or a duration, as a count of its unit) from `min` to `max`.
template <typename T>
Setting integer(std::string name, T Config::*member, long long min, long long max,
                std::string help) {
  using Count = typename CountOf<T>::type;
  static_assert(std::is_integral_v<Count>);
  if (!std::in_range<Count>(min) || !std::in_range<Count>(max)) {
    throw std::logic_error("setting " + name + ": its range does not fit its member's type");
  }
  auto parser = [min, max](const std::string& n, const std::string& text) {
    return T(parse::integer(n, text, min, max));
  };
  return field(std::move(name), member, parser, std::move(help));
}

inline Setting number(std::string name, double Config::*member, double min, double max,
                      std::string help) {
  auto parser = [min, max](const std::string& n, const std::string& text) {
    return parse::number(n, text, min, max);
  };
  return field(std::move(name), member, parser, std::move(help));
}

inline Setting flag(std::string name, bool Config::*member, std::string help) {
  return field(std::move(name), member, parse::boolean, std::move(help));
}

// One of the enum's names (config/choices.h), any case.
template <typename E>
Setting choice(std::string name, E Config::*member, std::string help) {
  return field(std::move(name), member, parse::choice<E>, std::move(help));
}

// Marks a setting as a credential whose value is never shown (see Setting::secret).
inline Setting secret(Setting setting) {
  setting.secret = true;
  return setting;
}

// Tags every setting of `settings` with `subsystem`.
inline std::vector<Setting> group(Subsystem subsystem, std::vector<Setting> settings) {
  for (auto& s : settings) s.subsystem = subsystem;
  return settings;
}

}  // namespace chatbot::config::declare
