#pragma once
// Small JSON value conventions shared by every reply of the API.
#include <nlohmann/json.hpp>
#include <string_view>

namespace chatbot::util {

// An optional text field: null when empty, else the text. Every optional string of the API
// (session ids, categories, URLs, reasons) is written through this.
nlohmann::json nullIfEmpty(std::string_view text);

}  // namespace chatbot::util
