#pragma once
// Parses and validates the body of POST {prefix}/chat/. Throws ApiError (400/415) with a message
// that names the field and the allowed values; never partially accepts a request.
#include <string>
#include <string_view>

#include "rag/chat_service.h"

namespace chatbot::api {

struct ChatLimits {
  std::size_t max_query_chars = 2000;
  std::size_t min_top_k = 1, max_top_k = 20, default_top_k = 4;
  std::size_t min_max_tokens = 50, max_max_tokens = 500, default_max_tokens = 150;
};

// Throws ApiError 415 unless the Content-Type is application/json (parameters such as charset=utf-8
// are allowed).
void requireJsonContentType(std::string_view content_type);

struct ChatRequest {
  rag::ChatQuery query;
  std::string session_id;  // empty: none given (a new conversation)
};

ChatRequest parseChatRequest(std::string_view body, const ChatLimits& limits);

}  // namespace chatbot::api
