#include "api/chat_request.h"

#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/json_body.h"
#include "util/text.h"
#include "util/utf8.h"

namespace chatbot::api {

void requireJsonContentType(std::string_view content_type) {
  const std::string media =
      util::asciiLower(util::trim(content_type.substr(0, content_type.find(';'))));
  if (media != "application/json") {
    throw ApiError({ErrorKind::kUnsupportedMediaType, "unsupported_media_type",
                    content_type.empty()
                        ? "Send the request body as JSON with 'Content-Type: application/json'."
                        : "Content-Type must be application/json."});
  }
}

ChatRequest parseChatRequest(std::string_view raw, const ChatLimits& limits) {
  const nlohmann::json body = parseJsonObject(raw, R"({"query": "How do I reset my password?"})");
  const auto invalid = invalidField;

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

  ChatRequest request;
  if (const auto session = body.find("session_id"); session != body.end() && !session->is_null()) {
    if (!session->is_string() || !isAcceptableId(session->get_ref<const std::string&>())) {
      invalid(
          "'session_id' must be a session id from an earlier reply (1-64 letters, digits, '.', '_' "
          "or '-').");
    }
    request.session_id = session->get<std::string>();
  }
  rag::ChatQuery& result = request.query;
  result.top_k =
      integerField(body, "top_k", limits.min_top_k, limits.max_top_k, limits.default_top_k);
  result.max_tokens = integerField(body, "max_tokens", limits.min_max_tokens, limits.max_max_tokens,
                                   limits.default_max_tokens);
  // Sampling overrides for a generating model; the extractive generator ignores them.
  result.temperature = numberField(body, "temperature", 0.0, 2.0, false);
  result.top_p = numberField(body, "top_p", 0.0, 1.0, true);
  if (body.contains("seed") && !body["seed"].is_null()) {
    result.seed = static_cast<std::uint32_t>(integerField(body, "seed", 0, 4'294'967'295ULL, 0));
  }
  result.text = std::string(util::trim(text));
  return request;
}

}  // namespace chatbot::api
