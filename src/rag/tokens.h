#pragma once
// How `max_tokens` is counted without a model tokenizer: a token is a run of letters/digits
// (UTF-8 bytes >= 0x80 count as letters) or one punctuation character. "Don't restart!" is 5
// tokens: Don ' t restart !. This over-counts slightly compared with BPE vocabularies (~1.3
// tokens per English word either way), so an answer never exceeds what a model would produce.
#include <cstddef>
#include <string_view>

namespace chatbot::rag {

std::size_t countTokens(std::string_view text) noexcept;

// Longest prefix of `text` with at most `max_tokens` tokens that ends at a sentence boundary
// (". ", "! ", "? ", ":" or newline). Empty if even the first sentence is longer.
std::string_view prefixAtSentence(std::string_view text, std::size_t max_tokens) noexcept;

}  // namespace chatbot::rag
