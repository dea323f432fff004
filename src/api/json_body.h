#pragma once
// Validation of JSON request bodies. Every function throws ApiError 400 with a message that names
// the field and what is allowed; a request is accepted whole or not at all.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace chatbot::api {

[[noreturn]] void invalidField(const std::string& detail);

// The body as a JSON object: rejects empty bodies, invalid UTF-8, malformed JSON and non-objects.
// `example` is shown in the message for an empty body, e.g. {"query": "..."}.
nlohmann::json parseJsonObject(std::string_view raw, std::string_view example);

// An integer field within [min, max]; `fallback` when absent.
std::size_t integerField(const nlohmann::json& body, const char* name, std::size_t min,
                         std::size_t max, std::size_t fallback);
// A number within [min, max] (or (min, max]); nullopt when absent or null.
std::optional<double> numberField(const nlohmann::json& body, const char* name, double min,
                                  double max, bool min_exclusive);
// A string field, trimmed, at most `max_chars` characters, without NUL; nullopt when absent or
// null. `allow_empty`: an empty (or all-whitespace) value is accepted as "".
std::optional<std::string> stringField(const nlohmann::json& body, const char* name,
                                       std::size_t max_chars, bool allow_empty = false);
// A required boolean field.
bool boolField(const nlohmann::json& body, const char* name);

// Identifiers clients echo back (session ids): 1-64 characters of A-Z a-z 0-9 . _ -
bool isAcceptableId(std::string_view id) noexcept;

}  // namespace chatbot::api
