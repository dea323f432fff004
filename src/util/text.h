#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::util {

// Bytes that belong to words for tokenising: ASCII letters and digits, and every UTF-8 byte of a
// non-ASCII character (so "café" and "Größe" stay one word).
inline bool isWordByte(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

std::string_view trim(std::string_view text) noexcept;
// A line of a hand-edited data file without its '#' comment, trimmed.
std::string_view withoutComment(std::string_view line) noexcept;
// ASCII-only lower-casing; bytes >= 0x80 are left as they are (UTF-8 safe).
std::string asciiLower(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char separator);
// Collapses runs of whitespace (incl. newlines) to one space and trims.
std::string collapseWhitespace(std::string_view text);
// Shortest decimal text that reads back as `value` for typical settings (0.5, 2, 0.95): "%g".
std::string formatNumber(double value);

}  // namespace chatbot::util
