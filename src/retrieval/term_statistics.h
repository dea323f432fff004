#pragma once
// Which informative terms each article contains, and how rare each term is in the knowledge base:
// the evidence the answer-confidence estimate (retrieval/answer_confidence.h) weighs, independent
// of the search engine that ranked the articles.
//
// A term is a lower-cased word that is not a stopword, reduced by the English Snowball stemmer
// (the same analysis as the lexical index); synonym variants add their canonical term, as in the
// index. Immutable after construction: safe to share across threads.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kb/article.h"
#include "retrieval/synonyms.h"

namespace chatbot::retrieval {

// The English Snowball stem of a lower-case word, as the lexical index stems it. Thread-safe.
std::string englishStem(const std::string& word);

class TermStatistics {
 public:
  // `synonyms` may be null (no synonym table).
  TermStatistics(const std::vector<kb::Article>& articles,
                 std::shared_ptr<const SynonymTable> synonyms);
  ~TermStatistics();
  TermStatistics(const TermStatistics&) = delete;
  TermStatistics& operator=(const TermStatistics&) = delete;

  // The distinct terms of a question, in order of first appearance.
  std::vector<std::string> terms(std::string_view text) const;

  // Inverse document frequency, log((N + 1) / (df + 0.5)): higher for rarer terms. A term no
  // article contains gets the highest value, unknownIdf().
  double idf(const std::string& term) const;
  double unknownIdf() const noexcept { return unknown_idf_; }
  bool known(const std::string& term) const { return ids_.contains(term); }

  // Whether article `article` (a position in the article list) contains `term` anywhere, or in
  // its title (subject and alternative questions).
  bool inArticle(std::size_t article, const std::string& term) const;
  bool inTitle(std::size_t article, const std::string& term) const;

  std::size_t articles() const noexcept { return article_terms_.size(); }

 private:
  struct Analyzer;
  // Sorted, distinct ids of a document text's terms, adding unseen ones (construction only).
  std::vector<std::uint32_t> addDocumentTerms(std::string_view text);
  static bool contains(const std::vector<std::uint32_t>& sorted, std::uint32_t id);

  std::shared_ptr<const SynonymTable> synonyms_;
  std::unique_ptr<Analyzer> analyzer_;
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::uint32_t> document_frequency_;          // by term id
  std::vector<std::vector<std::uint32_t>> article_terms_;  // sorted term ids, by article
  std::vector<std::vector<std::uint32_t>> title_terms_;
  double unknown_idf_ = 0;
};

}  // namespace chatbot::retrieval
