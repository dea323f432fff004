#include "api/json_body.h"

#include "api/errors.h"
#include "util/text.h"
#include "util/utf8.h"

namespace chatbot::api {

void invalidField(const std::string& detail) {
  throw ApiError(Error::invalidInput(detail));
}

namespace {

[[noreturn]] void rejectBody(const char* code, std::string detail) {
  throw ApiError(Error{ErrorKind::kInvalidInput, code, std::move(detail)});
}

}  // namespace

nlohmann::json parseJsonObject(std::string_view raw, std::string_view example) {
  if (util::trim(raw).empty()) {
    rejectBody("invalid_json", "The request body is empty; send a JSON object such as " +
                                   std::string(example) + ".");
  }
  if (!util::isValidUtf8(raw)) {
    rejectBody("invalid_encoding", "The request body is not valid UTF-8.");
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(raw);
  } catch (const nlohmann::json::parse_error& e) {
    rejectBody("invalid_json", "The request body is not valid JSON (error at byte " +
                                   std::to_string(e.byte) + ").");
  }
  if (!body.is_object()) {
    invalidField("The request body must be a JSON object such as " + std::string(example) + ".");
  }
  return body;
}

std::size_t integerField(const nlohmann::json& body, const char* name, std::size_t min,
                         std::size_t max, std::size_t fallback) {
  const auto it = body.find(name);
  if (it == body.end()) return fallback;
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!it->is_number_integer()) invalidField(std::string("'") + name + "' must be " + range + ".");
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v < min || v > max) {
      invalidField(std::string("'") + name + "' must be " + range + "; got " + std::to_string(v) +
                   ".");
    }
    return static_cast<std::size_t>(v);
  }
  const auto v = it->get<std::int64_t>();
  if (v < static_cast<std::int64_t>(min) || v > static_cast<std::int64_t>(max)) {
    invalidField(std::string("'") + name + "' must be " + range + "; got " + std::to_string(v) +
                 ".");
  }
  return static_cast<std::size_t>(v);
}

std::optional<double> numberField(const nlohmann::json& body, const char* name, double min,
                                  double max, bool min_exclusive) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  const std::string range = std::string("a number ") + (min_exclusive ? "above " : "from ") +
                            util::formatNumber(min) + (min_exclusive ? " up to " : " to ") +
                            util::formatNumber(max);
  if (!it->is_number()) invalidField(std::string("'") + name + "' must be " + range + ".");
  const double v = it->get<double>();
  if (!(min_exclusive ? v > min : v >= min) || !(v <= max)) {
    invalidField(std::string("'") + name + "' must be " + range + "; got " + util::formatNumber(v) +
                 ".");
  }
  return v;
}

std::optional<std::string> stringField(const nlohmann::json& body, const char* name,
                                       std::size_t max_chars, bool allow_empty) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) invalidField(std::string("'") + name + "' must be a string.");
  const auto text = util::trim(it->get_ref<const std::string&>());
  if (text.empty() && !allow_empty) {
    invalidField(std::string("'") + name + "' must not be empty or only whitespace.");
  }
  const std::size_t chars = util::codePointCount(text);
  if (chars > max_chars) {
    invalidField(std::string("'") + name + "' is " + std::to_string(chars) +
                 " characters long; the limit is " + std::to_string(max_chars) + ".");
  }
  if (text.find('\0') != std::string_view::npos) {
    invalidField(std::string("'") + name + "' must not contain NUL characters.");
  }
  return std::string(text);
}

bool boolField(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    invalidField(std::string("'") + name + "' is required (true or false).");
  }
  if (!it->is_boolean()) invalidField(std::string("'") + name + "' must be true or false.");
  return it->get<bool>();
}

bool isAcceptableId(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace chatbot::api
