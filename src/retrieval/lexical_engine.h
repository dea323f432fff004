#pragma once
// The seam between the knowledge index and a lexical search engine: the index decides when to
// build and which folder holds what; the engine writes its files into one sub-folder and opens
// them as a Retriever. The only engine today is Xapian (retrieval/xapian_*); another one (e.g.
// Tantivy, or PostgreSQL full text) is one more LexicalEngine and a case in app/engines.cpp.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kb/article.h"
#include "retrieval/retriever.h"
#include "retrieval/synonyms.h"

namespace chatbot::retrieval {

struct LexicalOptions {
  // Within-document frequency added per occurrence, by field: a word in the subject counts like
  // `subject` words of body text.
  unsigned subject_weight = 3;
  unsigned question_weight = 2;
  unsigned tag_weight = 2;
  unsigned body_weight = 1;
  // BM25 (Robertson/Walker).
  double k1 = 1.2;
  double b = 0.75;
};

struct OpenedLexicalIndex {
  std::unique_ptr<Retriever> retriever;
  std::size_t documents = 0;  // must equal the article count: document i is article i
};

// Immutable value; its functions are safe to call from any thread (each call its own files).
struct LexicalEngine {
  std::string name;    // what /health and replies call it, e.g. "xapian-bm25"
  std::string folder;  // its sub-folder of an index directory
  // Writes an index of `articles` into `dir` (created; must not exist); `progress` after each.
  std::function<void(const std::vector<kb::Article>& articles, const std::filesystem::path& dir,
                     const SynonymTable& synonyms, const LexicalOptions& options,
                     const std::function<void()>& progress)>
      build;
  // Opens what build() wrote (throws std::runtime_error when it cannot).
  std::function<OpenedLexicalIndex(const std::filesystem::path& dir,
                                   std::shared_ptr<const SynonymTable> synonyms,
                                   const LexicalOptions& options)>
      open;
};

// The engine used when none is chosen (Xapian BM25).
const LexicalEngine& defaultLexicalEngine();

}  // namespace chatbot::retrieval
