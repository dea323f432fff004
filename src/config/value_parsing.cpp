#include "config/value_parsing.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "net/client_address.h"

namespace chatbot::config::parse {

void fail(const std::string& name, const std::string& value, const std::string& expected) {
  throw ConfigError(name + "='" + value + "' is invalid: expected " + expected);
}

long long integer(const std::string& name, const std::string& value, long long min, long long max) {
  const std::string_view text = util::trim(value);
  long long result = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), result);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || result < min ||
      result > max) {
    fail(name, value, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return result;
}

double number(const std::string& name, const std::string& value, double min, double max) {
  const std::string text(util::trim(value));
  char* end = nullptr;
  errno = 0;
  const double result = std::strtod(text.c_str(), &end);
  if (text.empty() || errno != 0 || end != text.c_str() + text.size() ||
      !(result >= min && result <= max)) {
    fail(name, value, "a number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return result;
}

bool boolean(const std::string& name, const std::string& value) {
  const std::string v = util::asciiLower(util::trim(value));
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  fail(name, value, "true or false (also 1/0, yes/no, on/off)");
}

std::string prefix(const std::string& name, const std::string& value) {
  std::string v(util::trim(value));
  while (v.size() > 1 && v.back() == '/') v.pop_back();
  if (v.empty() || v.front() != '/' || v == "/" ||
      v.find_first_of(" ?#{}\\") != std::string::npos) {
    fail(name, value, "a path starting with '/', such as /api/v1");
  }
  return v;
}

std::vector<std::string> origins(const std::string& name, const std::string& value) {
  std::vector<std::string> result;
  for (const auto part : util::split(value, ',')) {
    std::string origin(util::trim(part));
    if (origin.empty()) continue;
    while (origin.size() > 1 && origin.back() == '/') origin.pop_back();
    const bool scheme = origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
    const bool host_only =
        scheme && origin.find_first_of(" /", origin.find("//") + 2) == std::string::npos;
    if (origin != "*" && !host_only) {
      fail(name, value, "a comma-separated list of origins like https://portal.example.com, or *");
    }
    result.push_back(std::move(origin));
  }
  return result;
}

std::vector<std::string> names(const std::string&, const std::string& value) {
  std::vector<std::string> result;
  for (const auto part : util::split(value, ',')) {
    if (!util::trim(part).empty()) result.emplace_back(util::trim(part));
  }
  return result;
}

std::string nonEmpty(const std::string& name, const std::string& value) {
  std::string v(util::trim(value));
  if (v.empty()) fail(name, value, "a non-empty value");
  return v;
}

std::string trimmed(const std::string&, const std::string& value) {
  return std::string(util::trim(value));
}

std::string modelId(const std::string&, const std::string& value) {
  std::string v(util::trim(value));
  return v.empty() ? "none" : v;
}

std::string optionalUrl(const std::string& name, const std::string& value) {
  std::string url(util::trim(value));
  if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw ConfigError(name + " must start with http:// or https://; got '" + url + "'");
  }
  return url;
}

std::string verbatim(const std::string&, const std::string& value) {
  return value;
}

std::string trustedProxies(const std::string& name, const std::string& value) {
  const auto parsed = net::TrustedProxies::parse(value);
  if (!parsed) throw ConfigError(name + ": " + parsed.error().detail);
  return std::string(util::trim(value));
}

std::string bootstrapKey(const std::string& name, const std::string& value) {
  if (value.empty()) return value;
  if (value.size() < 32 || value.find_first_of(" \t\r\n") != std::string::npos) {
    throw ConfigError(name +
                      " must be at least 32 characters without spaces (it opens everything); "
                      "generate one with `openssl rand -hex 32`, or leave it empty");
  }
  return value;
}

}  // namespace chatbot::config::parse
