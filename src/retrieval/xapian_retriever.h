#pragma once
// Lexical retrieval with Xapian: BM25 over subject, alternative questions, tags and body, with
// field weights, English Snowball stemming, stopwords and IT synonyms.
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "kb/article.h"
#include "retrieval/lexical_engine.h"
#include "retrieval/retriever.h"
#include "retrieval/synonyms.h"
#include "util/mutex.h"

namespace chatbot::retrieval {

// Writes a Xapian database for `articles` into `dir` (created; must not exist). Document i is the
// article at position i. Calls `progress` after each article.
void buildXapianIndex(const std::vector<kb::Article>& articles, const std::filesystem::path& dir,
                      const SynonymTable& synonyms, const LexicalOptions& options,
                      const std::function<void()>& progress = {});

class XapianRetriever final : public Retriever {
 public:
  // Opens the database in `dir` (throws std::runtime_error if it cannot).
  XapianRetriever(const std::filesystem::path& dir, std::shared_ptr<const SynonymTable> synonyms,
                  LexicalOptions options);
  ~XapianRetriever() override;

  std::vector<Hit> search(std::string_view query, std::size_t k) const override;
  std::string name() const override { return "xapian-bm25"; }
  std::size_t documentCount() const noexcept { return document_count_; }

 private:
  // Xapian handles are not thread-safe, so each concurrent search borrows its own from a pool.
  struct Searcher;
  std::unique_ptr<Searcher> acquire() const EXCLUDES(pool_mutex_);
  void release(std::unique_ptr<Searcher> searcher) const EXCLUDES(pool_mutex_);

  std::filesystem::path dir_;
  std::shared_ptr<const SynonymTable> synonyms_;
  LexicalOptions options_;
  std::size_t document_count_ = 0;
  mutable util::Mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Searcher>> pool_ GUARDED_BY(pool_mutex_);
};

}  // namespace chatbot::retrieval
