#include "retrieval/term_statistics.h"

#include <xapian.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "kb/markdown.h"
#include "retrieval/stopwords.h"

namespace chatbot::retrieval {

std::string englishStem(const std::string& word) {
  // Xapian's stemmers keep state between calls: one per thread.
  thread_local Xapian::Stem stemmer("english");
  return stemmer(word);
}

struct TermStatistics::Analyzer {
  std::unordered_set<std::string_view> stopwords;
  Analyzer() {
    for (const auto w : englishStopwords()) stopwords.insert(w);
  }
  // Stems of the informative words of `text`, in order, repeats kept.
  void add(std::string_view text, std::vector<std::string>& out) const {
    for (auto& word : wordTokens(text)) {
      if (!stopwords.contains(word)) out.push_back(englishStem(word));
    }
  }
};

TermStatistics::TermStatistics(const std::vector<kb::Article>& articles,
                               std::shared_ptr<const SynonymTable> synonyms)
    : synonyms_(std::move(synonyms)), analyzer_(std::make_unique<Analyzer>()) {
  article_terms_.reserve(articles.size());
  title_terms_.reserve(articles.size());
  for (const auto& a : articles) {
    std::string title = a.subject;
    for (const auto& q : a.questions) title.append(". ").append(q);
    std::string rest;
    for (const auto& t : a.tags) rest.append(t).append(". ");
    rest.append(kb::toPlainText(a.body));
    std::vector<std::uint32_t> in_title = addDocumentTerms(title);
    std::vector<std::uint32_t> all = addDocumentTerms(rest);
    all.insert(all.end(), in_title.begin(), in_title.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    for (const auto id : all) ++document_frequency_[id];
    article_terms_.push_back(std::move(all));
    title_terms_.push_back(std::move(in_title));
  }
  unknown_idf_ = std::log((static_cast<double>(articles.size()) + 1.0) / 0.5);
}

TermStatistics::~TermStatistics() = default;

// Like the index: the text's own terms, plus the canonical term of every synonym variant in it.
std::vector<std::uint32_t> TermStatistics::addDocumentTerms(std::string_view text) {
  std::vector<std::string> terms;
  analyzer_->add(text, terms);
  if (synonyms_) analyzer_->add(synonyms_->canonicalTerms(text), terms);
  std::vector<std::uint32_t> ids;
  ids.reserve(terms.size());
  for (auto& term : terms) {
    auto found = ids_.find(term);
    if (found == ids_.end()) {
      found = ids_.emplace(std::move(term), static_cast<std::uint32_t>(ids_.size())).first;
      document_frequency_.push_back(0);
    }
    ids.push_back(found->second);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Like the search: synonym variants replaced by their canonical term.
std::vector<std::string> TermStatistics::terms(std::string_view text) const {
  std::vector<std::string> all;
  analyzer_->add(synonyms_ ? synonyms_->rewriteQuery(text) : std::string(text), all);
  std::vector<std::string> out;
  for (auto& term : all) {
    if (std::find(out.begin(), out.end(), term) == out.end()) out.push_back(std::move(term));
  }
  return out;
}

double TermStatistics::idf(const std::string& term) const {
  const auto found = ids_.find(term);
  if (found == ids_.end()) return unknown_idf_;
  const double n = static_cast<double>(article_terms_.size());
  return std::log((n + 1.0) / (document_frequency_[found->second] + 0.5));
}

bool TermStatistics::contains(const std::vector<std::uint32_t>& sorted, std::uint32_t id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

bool TermStatistics::inArticle(std::size_t article, const std::string& term) const {
  const auto found = ids_.find(term);
  return found != ids_.end() && contains(article_terms_.at(article), found->second);
}

bool TermStatistics::inTitle(std::size_t article, const std::string& term) const {
  const auto found = ids_.find(term);
  return found != ids_.end() && contains(title_terms_.at(article), found->second);
}

}  // namespace chatbot::retrieval
