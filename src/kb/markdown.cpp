#include "kb/markdown.h"

#include <cctype>

#include "util/text.h"

namespace chatbot::kb {

namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::size_t indentOf(std::string_view line) {
  std::size_t n = 0;
  for (const char c : line) {
    if (c == ' ') {
      ++n;
    } else if (c == '\t') {
      n += 4;
    } else {
      break;
    }
  }
  return n;
}

// "12. text" or "12) text" -> number 12, rest "text".
bool orderedMarker(std::string_view s, int& number, std::string_view& rest) {
  std::size_t i = 0;
  while (i < s.size() && i < 9 && isDigit(s[i])) ++i;
  if (i == 0 || i + 1 >= s.size() || (s[i] != '.' && s[i] != ')') || s[i + 1] != ' ') return false;
  number = std::stoi(std::string(s.substr(0, i)));
  rest = util::trim(s.substr(i + 2));
  return true;
}

bool bulletMarker(std::string_view s, std::string_view& rest) {
  if (s.size() >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') {
    rest = util::trim(s.substr(2));
    return true;
  }
  return false;
}

}  // namespace

std::string stripInline(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '*' || c == '`') continue;
    if (c == '_' &&
        (i == 0 || i + 1 == text.size() || !std::isalnum(static_cast<unsigned char>(text[i - 1])) ||
         !std::isalnum(static_cast<unsigned char>(text[i + 1])))) {
      continue;  // emphasis underscore, but keep snake_case words intact
    }
    if (c == '!' && i + 1 < text.size() && text[i + 1] == '[') continue;
    if (c == '[') {
      const std::size_t close = text.find("](", i);
      const std::size_t end = close == std::string_view::npos ? close : text.find(')', close);
      if (close != std::string_view::npos && end != std::string_view::npos &&
          text.substr(i, close - i).find('\n') == std::string_view::npos) {
        out.append(stripInline(text.substr(i + 1, close - i - 1)));
        i = end;
        continue;
      }
    }
    if (c == '<') {
      const std::size_t close = text.find('>', i);
      if (close != std::string_view::npos && close > i + 1 &&
          (std::isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '/')) {
        const std::string_view inner = text.substr(i + 1, close - i - 1);
        // Autolinks like <https://x> keep their text; HTML tags are dropped.
        if (inner.find("://") != std::string_view::npos ||
            inner.find('@') != std::string_view::npos) {
          out.append(inner);
        }
        i = close;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

std::vector<Block> parseBlocks(std::string_view markdown) {
  std::vector<Block> blocks;
  Block* open = nullptr;  // paragraph or list item that continuation lines join
  bool in_code = false;
  for (std::string_view raw : util::split(markdown, '\n')) {
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string_view line = util::trim(raw);
    if (line.rfind("```", 0) == 0 || line.rfind("~~~", 0) == 0) {
      if (!in_code) blocks.push_back({BlockKind::kCode, ""});
      in_code = !in_code;
      open = nullptr;
      continue;
    }
    if (in_code) {
      Block& code = blocks.back();
      if (!code.text.empty()) code.text.push_back('\n');
      code.text.append(raw);
      continue;
    }
    if (line.empty()) {
      open = nullptr;
      continue;
    }
    const int depth = static_cast<int>(indentOf(raw) / 2);
    int number = 0;
    std::string_view rest;
    if (line.front() == '#') {
      std::size_t level = line.find_first_not_of('#');
      if (level != std::string_view::npos && level <= 6 && line[level] == ' ') {
        blocks.push_back({BlockKind::kHeading, stripInline(util::trim(line.substr(level))), 0,
                          static_cast<int>(level)});
        open = nullptr;
        continue;
      }
    }
    if (orderedMarker(line, number, rest)) {
      blocks.push_back({BlockKind::kOrderedItem, stripInline(rest), number, depth});
      open = &blocks.back();
      continue;
    }
    if (bulletMarker(line, rest)) {
      blocks.push_back({BlockKind::kBulletItem, stripInline(rest), 0, depth});
      open = &blocks.back();
      continue;
    }
    std::string_view content = line;
    if (content.front() == '>') content = util::trim(content.substr(1));  // blockquote
    if (open != nullptr) {
      open->text.push_back(' ');
      open->text.append(stripInline(content));
    } else {
      blocks.push_back({BlockKind::kParagraph, stripInline(content)});
      open = &blocks.back();
    }
  }
  return blocks;
}

std::string toPlainText(std::string_view markdown) {
  std::string out;
  for (const auto& b : parseBlocks(markdown)) {
    if (!out.empty()) out.push_back('\n');
    out.append(b.text);
  }
  return out;
}

}  // namespace chatbot::kb
