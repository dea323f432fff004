#pragma once
// Parsers from a setting's text to its typed value. Each takes the setting's name for its error
// message, trims the text (except where noted) and throws ConfigError saying what is allowed.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "config/choices.h"
#include "config/config.h"
#include "util/text.h"

namespace chatbot::config::parse {

// Throws ConfigError "NAME='value' is invalid: expected <expected>".
[[noreturn]] void fail(const std::string& name, const std::string& value,
                       const std::string& expected);

long long integer(const std::string& name, const std::string& value, long long min, long long max);
double number(const std::string& name, const std::string& value, double min, double max);
// 1/0, true/false, yes/no, on/off, any case; empty is false.
bool boolean(const std::string& name, const std::string& value);
// A URL path prefix such as /api/v1; trailing slashes are dropped.
std::string prefix(const std::string& name, const std::string& value);
// Comma-separated browser origins (scheme://host[:port]) or *; empty entries are skipped.
std::vector<std::string> origins(const std::string& name, const std::string& value);
// A comma-separated list of names (groups), each trimmed; empty entries dropped.
std::vector<std::string> names(const std::string& name, const std::string& value);
std::string nonEmpty(const std::string& name, const std::string& value);
// Any text, trimmed; empty is allowed.
std::string trimmed(const std::string& name, const std::string& value);
// A model name, alias or .gguf path; empty means "none".
std::string modelId(const std::string& name, const std::string& value);
// Empty (no URL) or an http:// or https:// URL.
std::string optionalUrl(const std::string& name, const std::string& value);
// The text exactly as given, untrimmed (secrets may hold any byte).
std::string verbatim(const std::string& name, const std::string& value);
// Empty, or a key of at least 32 characters without whitespace (an admin credential that could
// be guessed would open everything).
std::string bootstrapKey(const std::string& name, const std::string& value);
// A comma-separated list of IP addresses and CIDR ranges (net::TrustedProxies::parse), trimmed.
std::string trustedProxies(const std::string& name, const std::string& value);

// One of the enum's names, any case; the error lists the canonical names.
template <typename E>
E choice(const std::string& name, const std::string& value) {
  const std::string text = util::asciiLower(util::trim(value));
  std::string list;
  for (const auto& c : choiceNames(E{})) {
    if (text == c.name) return c.value;
    if (toString(c.value) == c.name) list += (list.empty() ? "" : ", ") + std::string(c.name);
  }
  fail(name, value, "one of " + list);
}

}  // namespace chatbot::config::parse
