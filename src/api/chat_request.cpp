#include "api/chat_request.h"

#include <nlohmann/json.hpp>

#include <optional>

#include "api/errors.h"
#include "util/text.h"
#include "util/utf8.h"

namespace chatbot::api {

namespace {

[[noreturn]] void invalid(const std::string& detail) {
  throw ApiError(http::Status::bad_request, "validation_error", detail);
}

std::size_t integerField(const nlohmann::json& body, const char* name, std::size_t min, std::size_t max,
                         std::size_t fallback) {
  const auto it = body.find(name);
  if (it == body.end()) return fallback;
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!it->is_number_integer()) invalid(std::string("'") + name + "' must be " + range + ".");
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v < min || v > max) invalid(std::string("'") + name + "' must be " + range + "; got " + std::to_string(v) + ".");
    return static_cast<std::size_t>(v);
  }
  const auto v = it->get<std::int64_t>();
  if (v < static_cast<std::int64_t>(min) || v > static_cast<std::int64_t>(max)) {
    invalid(std::string("'") + name + "' must be " + range + "; got " + std::to_string(v) + ".");
  }
  return static_cast<std::size_t>(v);
}

std::optional<double> numberField(const nlohmann::json& body, const char* name, double min, double max,
                                  bool min_exclusive) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  const std::string range = std::string("a number ") + (min_exclusive ? "above " : "from ") + util::formatNumber(min) +
                            (min_exclusive ? " up to " : " to ") + util::formatNumber(max);
  if (!it->is_number()) invalid(std::string("'") + name + "' must be " + range + ".");
  const double v = it->get<double>();
  if (!(min_exclusive ? v > min : v >= min) || !(v <= max)) {
    invalid(std::string("'") + name + "' must be " + range + "; got " + util::formatNumber(v) + ".");
  }
  return v;
}

}  // namespace

void requireJsonContentType(std::string_view content_type) {
  const std::string media = util::asciiLower(util::trim(content_type.substr(0, content_type.find(';'))));
  if (media != "application/json") {
    throw ApiError(http::Status::unsupported_media_type, "unsupported_media_type",
                   content_type.empty() ? "Send the request body as JSON with 'Content-Type: application/json'."
                                        : "Content-Type must be application/json.");
  }
}

rag::ChatQuery parseChatRequest(std::string_view raw, const ChatLimits& limits) {
  if (util::trim(raw).empty()) {
    throw ApiError(http::Status::bad_request, "invalid_json",
                   "The request body is empty; send a JSON object such as {\"query\": \"How do I reset my password?\"}.");
  }
  if (!util::isValidUtf8(raw)) {
    throw ApiError(http::Status::bad_request, "invalid_encoding", "The request body is not valid UTF-8.");
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(raw);
  } catch (const nlohmann::json::parse_error& e) {
    throw ApiError(http::Status::bad_request, "invalid_json",
                   "The request body is not valid JSON (error at byte " + std::to_string(e.byte) + ").");
  }
  if (!body.is_object()) invalid("The request body must be a JSON object with a 'query' field.");

  const auto query = body.find("query");
  if (query == body.end() || query->is_null()) invalid("'query' is required.");
  if (!query->is_string()) invalid("'query' must be a string.");
  const auto& text = query->get_ref<const std::string&>();
  if (util::trim(text).empty()) invalid("'query' must not be empty or only whitespace.");
  const std::size_t chars = util::codePointCount(text);
  if (chars > limits.max_query_chars) {
    invalid("'query' is " + std::to_string(chars) + " characters long; the limit is " +
            std::to_string(limits.max_query_chars) + ".");
  }
  if (text.find('\0') != std::string::npos) invalid("'query' must not contain NUL characters.");

  rag::ChatQuery result;
  result.top_k = integerField(body, "top_k", limits.min_top_k, limits.max_top_k, limits.default_top_k);
  result.max_tokens =
      integerField(body, "max_tokens", limits.min_max_tokens, limits.max_max_tokens, limits.default_max_tokens);
  // Sampling overrides for a generating model; the extractive generator ignores them.
  result.temperature = numberField(body, "temperature", 0.0, 2.0, false);
  result.top_p = numberField(body, "top_p", 0.0, 1.0, true);
  if (body.contains("seed") && !body["seed"].is_null()) {
    result.seed = static_cast<std::uint32_t>(integerField(body, "seed", 0, 4'294'967'295ULL, 0));
  }
  result.text = std::string(util::trim(text));
  return result;
}

}  // namespace chatbot::api
