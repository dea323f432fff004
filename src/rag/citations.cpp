#include "rag/citations.h"

#include <algorithm>

namespace chatbot::rag {

namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Longest marker text worth holding back ("[12, 13, 14]"); anything longer is plain text.
constexpr std::size_t kMaxMarker = 24;

// Parses a marker at text[at] == '['; on success returns its length and the numbers in it.
std::size_t parseMarker(std::string_view text, std::size_t at, std::vector<std::size_t>& numbers) {
  numbers.clear();
  std::size_t i = at + 1;
  while (true) {
    if (i >= text.size() || !isDigit(text[i])) return 0;
    std::size_t value = 0;
    while (i < text.size() && isDigit(text[i]) && i - at < kMaxMarker) {
      value = value * 10 + static_cast<std::size_t>(text[i++] - '0');
    }
    numbers.push_back(value);
    if (i >= text.size() || i - at >= kMaxMarker) return 0;
    if (text[i] == ']') return i + 1 - at;
    if (text[i] != ',') return 0;
    ++i;
    if (i < text.size() && text[i] == ' ') ++i;
  }
}

}  // namespace

std::string CitationFilter::decide(bool valid) {
  std::string out;
  if (valid) {
    if (held_space_) out.push_back(' ');
    out += held_;
  }
  held_.clear();
  held_space_ = false;
  state_ = State::kText;
  return out;
}

// Advances the marker being held over `c`; false when `c` cannot continue it (the held text is
// plain text then). Does not hold `c` itself.
bool CitationFilter::continuesMarker(char c) {
  if (held_.size() >= kMaxMarker) return false;
  if (state_ == State::kOpen) {
    if (!isDigit(c)) return false;
    state_ = State::kNumber, current_ = static_cast<std::size_t>(c - '0');
    return true;
  }
  if (state_ == State::kNumber) {
    if (isDigit(c)) {
      current_ = current_ * 10 + static_cast<std::size_t>(c - '0');
    } else if (c == ',' || c == ']') {
      numbers_.push_back(current_);
      if (c == ',') state_ = State::kSeparator;
    } else {
      return false;
    }
    return true;
  }
  if (isDigit(c)) {  // kSeparator
    state_ = State::kNumber, current_ = static_cast<std::size_t>(c - '0');
    return true;
  }
  return c == ' ' && held_.back() != ' ';
}

// `c` outside a marker: passes through, except that a space waits for what follows and "[" may
// start a marker.
void CitationFilter::feedText(char c, std::string& out) {
  if (c == '[') {
    state_ = State::kOpen;
    held_ = "[";
    held_space_ = pending_space_;
    pending_space_ = false;
    numbers_.clear();
    current_ = 0;
  } else if (c == ' ') {
    if (pending_space_) out.push_back(' ');
    pending_space_ = true;
  } else {
    if (pending_space_) out.push_back(' ');
    pending_space_ = false;
    out.push_back(c);
  }
}

std::string CitationFilter::feed(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (state_ != State::kText) {
      if (continuesMarker(c)) {
        held_.push_back(c);
        if (c == ']') {
          const bool valid = std::all_of(numbers_.begin(), numbers_.end(), [&](std::size_t n) {
            return n >= 1 && n <= sources_given_;
          });
          out += decide(valid);
        }
        continue;
      }
      // Not a marker after all: what was held is plain text; `c` is read again as text.
      if (held_space_) out.push_back(' ');
      out += held_;
      held_.clear();
      held_space_ = false;
      state_ = State::kText;
    }
    feedText(c, out);
  }
  return out;
}

std::string CitationFilter::finish() {
  std::string out;
  if (held_space_ || pending_space_) out.push_back(' ');
  out += held_;
  held_.clear();
  held_space_ = pending_space_ = false;
  state_ = State::kText;
  return out;
}

std::vector<std::size_t> citedNumbers(std::string_view text, std::size_t sources_given) {
  std::vector<std::size_t> cited;
  std::vector<std::size_t> numbers;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '[') continue;
    const std::size_t length = parseMarker(text, i, numbers);
    if (length == 0) continue;
    const bool valid = std::all_of(numbers.begin(), numbers.end(),
                                   [&](std::size_t n) { return n >= 1 && n <= sources_given; });
    if (valid) {
      for (std::size_t n : numbers) {
        if (std::find(cited.begin(), cited.end(), n) == cited.end()) cited.push_back(n);
      }
    }
    i += length - 1;
  }
  return cited;
}

std::string removeInvalidCitations(std::string_view text, std::size_t sources_given) {
  CitationFilter filter(sources_given);
  std::string out = filter.feed(text);
  out += filter.finish();
  return out;
}

}  // namespace chatbot::rag
