#pragma once
// The query string of a request target ("/tickets?status=open&limit=5").
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chatbot::http {

// Parameters of `target`'s query string, percent-decoded ("+" is a space). A repeated name keeps
// its last value; a name without "=" maps to "". nullopt when an escape is malformed ("%zz") or
// decodes to a NUL byte.
std::optional<std::map<std::string, std::string>> queryParameters(std::string_view target);

}  // namespace chatbot::http
