#pragma once
// UTF-8 helpers. Client text is validated once at the API edge; everything behind it may assume
// valid UTF-8.
#include <cstddef>
#include <string>
#include <string_view>

namespace chatbot::util {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool isValidUtf8(std::string_view text) noexcept;

// Number of Unicode code points in valid UTF-8 `text` (what users call "characters").
std::size_t codePointCount(std::string_view text) noexcept;

}  // namespace chatbot::util
