#include "rag/tokens.h"

#include "util/text.h"

namespace chatbot::rag {

namespace {
bool isSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}
}  // namespace

std::size_t countTokens(std::string_view text) noexcept {
  std::size_t count = 0;
  bool in_word = false;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (util::isWordByte(c)) {
      if (!in_word) ++count;
      in_word = true;
    } else {
      in_word = false;
      if (!isSpace(ch)) ++count;
    }
  }
  return count;
}

std::string_view prefixAtSentence(std::string_view text, std::size_t max_tokens) noexcept {
  std::size_t count = 0;
  std::size_t best = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (util::isWordByte(c)) {
      if (!in_word) ++count;
      in_word = true;
    } else {
      in_word = false;
      if (!isSpace(text[i])) ++count;
    }
    if (count > max_tokens) break;
    const char ch = text[i];
    const bool end_of_text = i + 1 == text.size();
    const bool boundary = ch == '\n' || ((ch == '.' || ch == '!' || ch == '?' || ch == ':') &&
                                         (end_of_text || isSpace(text[i + 1])));
    if (boundary || end_of_text) best = i + 1;
  }
  while (best > 0 && isSpace(text[best - 1])) --best;
  return text.substr(0, best);
}

}  // namespace chatbot::rag
