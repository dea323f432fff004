#pragma once
// The head of one HTTP response (status line and header fields) as the client received it, and
// parsers for the field syntaxes that more than one caller reads. Plain values: no libcurl here.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::net {

struct ResponseHead {
  long status = 0;  // from the status line; 0: none seen
  // Field names lower-cased, values trimmed. A field that repeats keeps its last value.
  std::map<std::string, std::string, std::less<>> fields;

  bool has(std::string_view lower_name) const { return fields.contains(lower_name); }
  // The field's value, or "" when absent.
  std::string_view field(std::string_view lower_name) const;
  // Content-Length as a number; nullopt when absent or not a plain decimal.
  std::optional<std::uint64_t> contentLength() const;
};

// Adds one raw header line as libcurl hands it over (CRLF included) to `heads`: a status line
// ("HTTP/1.1 302 Found", "HTTP/2 200") starts a new head; a field line goes to the newest head;
// blank lines and lines before any status line are ignored. So after a transfer that followed
// redirects, `heads` holds every response in order and the final one last.
void addHeaderLine(std::string_view line, std::vector<ResponseHead>& heads);

// A whole decimal number (surrounding blanks allowed); nullopt for anything else.
std::optional<std::uint64_t> parseDecimal(std::string_view text);

// Content-Range: "bytes 100-199/1000" -> {100, 1000}; "bytes */1000" -> {nullopt, 1000}.
struct ContentRange {
  std::optional<std::uint64_t> first;  // nullopt: "*" (no range, as in a 416 answer)
  std::uint64_t total = 0;             // 0: unknown ("/*")
};
std::optional<ContentRange> parseContentRange(std::string_view value);

}  // namespace chatbot::net
