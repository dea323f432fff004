#pragma once
// Citation markers in generated answers. The model is told to cite its numbered sources as [1],
// [2]; a small model also invents numbers it was never given. Only sources actually given to it
// may be cited, so markers naming any other number are removed, also while streaming.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::rag {

// Streaming filter: feed() the text as it is generated and emit what it returns; finish() returns
// what was held back at the end. A marker is "[" digits ("," or ", " digits)* "]"; it is kept when
// every number is between 1 and `sources_given`, removed otherwise (with a space before it, so
// "as shown [7]." becomes "as shown."). Text that might still become a marker ("[1", "[1,") is
// held back until it is decided; anything else passes through at once. Not thread-safe: one
// filter per answer.
class CitationFilter {
 public:
  explicit CitationFilter(std::size_t sources_given) : sources_given_(sources_given) {}
  std::string feed(std::string_view text);
  std::string finish();

 private:
  enum class State { kText, kOpen, kNumber, kSeparator };
  std::string decide(bool valid);
  bool continuesMarker(char c);
  void feedText(char c, std::string& out);

  std::size_t sources_given_;
  State state_ = State::kText;
  std::string held_;         // text of a possible marker, from "[" on
  bool held_space_ = false;  // a space before the "[" was held with it
  std::vector<std::size_t> numbers_;
  std::size_t current_ = 0;
  bool pending_space_ = false;  // a trailing space not yet emitted (it may precede a marker)
};

// The numbers cited in `text` by valid markers, in order of first appearance, each once.
std::vector<std::size_t> citedNumbers(std::string_view text, std::size_t sources_given);

// Whole-text form of CitationFilter.
std::string removeInvalidCitations(std::string_view text, std::size_t sources_given);

}  // namespace chatbot::rag
