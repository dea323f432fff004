#pragma once
// UTF-8 helpers. Client text is validated once at the API edge; everything behind it may assume
// valid UTF-8.
#include <cstddef>
#include <string>
#include <string_view>

namespace chatbot::util {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool isValidUtf8(std::string_view text) noexcept;

// Appends to `out` the longest prefix of `bytes` that can be decoded now, with every ill-formed
// subsequence replaced by U+FFFD (one per maximal subpart, as Unicode recommends), and returns how
// many bytes it consumed. A trailing sequence that is incomplete but could still become valid is
// left unconsumed so the caller can retry once more bytes arrive. `out` stays valid UTF-8.
// Used where bytes come from outside the validated edge: a model's byte-level tokens.
std::size_t appendDecodableUtf8(std::string_view bytes, std::string& out);

// Number of Unicode code points in valid UTF-8 `text` (what users call "characters").
std::size_t codePointCount(std::string_view text) noexcept;

// `text` (valid UTF-8) when it has at most `max_chars` code points; otherwise at most `max_chars`
// of them followed by "...", cut after the last whole word when one ends in the second half of
// the limit (else right at the limit), never inside a code point, trailing whitespace removed.
std::string preview(std::string_view text, std::size_t max_chars);

}  // namespace chatbot::util
