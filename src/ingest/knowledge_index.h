#pragma once
// The indexed knowledge base: articles plus the search index built from them, kept in DATA_DIR.
//
// Layout: DATA_DIR/index-<identity>/{<engine folder>/, articles.jsonl, manifest.json} and
// DATA_DIR/CURRENT naming the active one. The identity hashes the KB files, the synonym table and
// the index settings, so any change yields a new index. A build goes to a temporary folder and is
// renamed into place, so a crash mid-build never leaves a half-written index as current; builders
// in several processes are serialised by a lock file.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kb/article.h"
#include "kb/loader.h"
#include "retrieval/lexical_engine.h"
#include "retrieval/retriever.h"
#include "retrieval/synonyms.h"
#include "retrieval/term_statistics.h"

namespace chatbot::ingest {

struct IndexOptions {
  std::filesystem::path kb_path;  // folder or file; may be missing if an index already exists
  std::filesystem::path data_dir;
  std::filesystem::path synonyms_file;  // empty: no synonyms
  retrieval::LexicalOptions lexical;
  // The search engine that indexes and searches the articles (app/engines.cpp chooses it).
  const retrieval::LexicalEngine* lexical_engine = &retrieval::defaultLexicalEngine();
  bool force_rebuild = false;
  bool show_progress = false;  // progress bar on stderr when it is a terminal
};

struct IndexInfo {
  std::size_t articles = 0;
  std::size_t files = 0;
  std::string identity;
  std::filesystem::path index_dir;
  std::string built_at;
  bool rebuilt = false;  // true when this open() built the index
  double build_ms = 0;
  std::vector<kb::LoadProblem> problems;
};

// Immutable after open(): safe to share across threads.
class KnowledgeIndex {
 public:
  // Builds the index if the KB changed (or force_rebuild), then opens it. Throws
  // std::runtime_error with an actionable message when there is neither a KB nor an index.
  static std::shared_ptr<const KnowledgeIndex> open(const IndexOptions& options);

  const std::vector<kb::Article>& articles() const noexcept { return articles_; }
  const retrieval::Retriever& retriever() const noexcept { return *retriever_; }
  // Term evidence over the articles, for the answer-confidence estimate.
  std::shared_ptr<const retrieval::TermStatistics> termStatistics() const noexcept {
    return term_statistics_;
  }
  const IndexInfo& info() const noexcept { return info_; }

 private:
  KnowledgeIndex() = default;
  // Loads the KB, builds the index when its identity is new, and points CURRENT at it.
  void buildIfChanged(const IndexOptions& options, const retrieval::SynonymTable& synonyms);
  // No KB folder: the index CURRENT names.
  void useCurrent(const IndexOptions& options);
  // Reads the articles and opens the engine's index of them.
  void load(const IndexOptions& options, std::shared_ptr<const retrieval::SynonymTable> synonyms);
  std::vector<kb::Article> articles_;
  std::unique_ptr<retrieval::Retriever> retriever_;
  std::shared_ptr<const retrieval::TermStatistics> term_statistics_;
  IndexInfo info_;
};

}  // namespace chatbot::ingest
