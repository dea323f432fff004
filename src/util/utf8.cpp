#include "util/utf8.h"

namespace chatbot::util {

bool isValidUtf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

namespace {

// Number of continuation bytes a lead byte announces, or -1 when it can never start a sequence.
int continuationCount(unsigned char lead) noexcept {
  if (lead >= 0xC2 && lead <= 0xDF) return 1;
  if (lead >= 0xE0 && lead <= 0xEF) return 2;
  if (lead >= 0xF0 && lead <= 0xF4) return 3;
  return -1;
}

// Whether `byte` may follow `lead` as the first continuation byte. The narrower ranges exclude
// overlongs (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
bool validSecondByte(unsigned char lead, unsigned char byte) noexcept {
  switch (lead) {
    case 0xE0:
      return byte >= 0xA0 && byte <= 0xBF;
    case 0xED:
      return byte >= 0x80 && byte <= 0x9F;
    case 0xF0:
      return byte >= 0x90 && byte <= 0xBF;
    case 0xF4:
      return byte >= 0x80 && byte <= 0x8F;
    default:
      return (byte & 0xC0) == 0x80;
  }
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

}  // namespace

std::size_t appendDecodableUtf8(std::string_view bytes, std::string& out) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  std::size_t i = 0;
  while (i < size) {
    const unsigned char lead = data[i];
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      ++i;
      continue;
    }
    const int extra = continuationCount(lead);
    if (extra < 0) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    // Length of the well-formed part of this sequence (lead included).
    std::size_t good = 1;
    while (good <= static_cast<std::size_t>(extra) && i + good < size) {
      const unsigned char next = data[i + good];
      const bool ok = good == 1 ? validSecondByte(lead, next) : (next & 0xC0) == 0x80;
      if (!ok) break;
      ++good;
    }
    if (good == static_cast<std::size_t>(extra) + 1) {
      out.append(bytes.substr(i, good));
    } else if (i + good == size) {
      break;  // incomplete so far, but the next bytes may complete it
    } else {
      out.append(kReplacement);  // the maximal well-formed subpart becomes one U+FFFD
    }
    i += good;
  }
  return i;
}

std::size_t codePointCount(std::string_view text) noexcept {
  std::size_t n = 0;
  for (const char ch : text) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

std::string preview(std::string_view text, std::size_t max_chars) {
  auto isSpace = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  std::size_t chars = 0;
  std::size_t end = 0;  // bytes of the first max_chars code points
  while (end < text.size()) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && chars++ == max_chars) break;
    ++end;
  }
  if (end == text.size()) return std::string(text);
  std::string_view cut = text.substr(0, end);
  if (!isSpace(text[end])) {
    // The limit falls inside a word: end after the word before it, unless that drops too much.
    std::size_t space = cut.size();
    while (space > 0 && !isSpace(cut[space - 1])) --space;
    if (space > 0 && codePointCount(cut.substr(0, space)) >= max_chars / 2) {
      cut = cut.substr(0, space);
    }
  }
  while (!cut.empty() && isSpace(cut.back())) cut.remove_suffix(1);
  return std::string(cut) + "...";
}

}  // namespace chatbot::util
