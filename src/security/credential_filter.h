#pragma once
// Finds credentials and card numbers in free text and replaces them with "[REDACTED]" before the
// text is logged, stored or processed. Patterns are RE2 (linear time, no catastrophic
// backtracking on hostile input). Immutable after construction: safe to share across threads.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::security {

inline constexpr std::string_view kRedactionMarker = "[REDACTED]";

struct Redaction {
  std::string text;                // input with every secret replaced by kRedactionMarker
  std::vector<std::string> kinds;  // distinct kinds found, in order of first appearance
  bool redacted() const noexcept { return !kinds.empty(); }
};

class CredentialFilter {
 public:
  CredentialFilter();
  ~CredentialFilter();
  CredentialFilter(const CredentialFilter&) = delete;
  CredentialFilter& operator=(const CredentialFilter&) = delete;

  Redaction redact(std::string_view text) const;

 private:
  struct Patterns;
  std::unique_ptr<Patterns> patterns_;
};

// Luhn checksum over the digits of `text` (other characters ignored); false if fewer than 13 or
// more than 19 digits.
bool looksLikeCardNumber(std::string_view text) noexcept;

}  // namespace chatbot::security
