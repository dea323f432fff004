#pragma once
// Synonym groups for IT vocabulary ("wi-fi" = "wireless" = "WLAN"). Applied the same way to
// documents and queries: a document gets the canonical term for every variant it contains, and a
// query has each variant replaced by its canonical term, so either spelling finds the other.
// Immutable after construction: safe to share across threads.
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chatbot::retrieval {

class SynonymTable {
 public:
  SynonymTable() = default;
  // Parses "canonical: variant, variant" lines; '#' starts a comment. Throws std::runtime_error
  // naming the line on a malformed one.
  static SynonymTable parse(std::string_view text);
  static SynonymTable load(const std::filesystem::path& path);

  // Canonical terms for every variant in `text`, space-separated (for indexing beside the text).
  std::string canonicalTerms(std::string_view text) const;
  // `text` with each variant replaced by its canonical term(s) (for queries).
  std::string rewriteQuery(std::string_view text) const;

  std::size_t groups() const noexcept { return groups_; }
  const std::string& fingerprint() const noexcept { return fingerprint_; }

 private:
  struct Variant {
    std::vector<std::string> words;
    std::vector<std::string> canonicals;
  };
  // Longest variant matching at word `i`, or nullptr.
  const Variant* match(const std::vector<std::string>& words, std::size_t i) const;

  std::unordered_map<std::string, std::vector<Variant>> by_first_word_;  // sorted longest first
  std::size_t groups_ = 0;
  std::string fingerprint_;  // hash of the parsed table: part of the index identity
};

// Lower-case word tokens: runs of letters/digits (UTF-8 bytes >= 0x80 count as letters) and
// apostrophes inside words.
std::vector<std::string> wordTokens(std::string_view text);

}  // namespace chatbot::retrieval
