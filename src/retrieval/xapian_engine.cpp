// Xapian as a LexicalEngine (see lexical_engine.h).
#include "retrieval/lexical_engine.h"
#include "retrieval/xapian_retriever.h"

namespace chatbot::retrieval {

namespace {

LexicalEngine makeXapianEngine() {
  LexicalEngine engine;
  engine.name = "xapian-bm25";
  engine.folder = "xapian";
  engine.build = [](const std::vector<kb::Article>& articles, const std::filesystem::path& dir,
                    const SynonymTable& synonyms, const LexicalOptions& options,
                    const std::function<void()>& progress) {
    buildXapianIndex(articles, dir, synonyms, options, progress);
  };
  engine.open = [](const std::filesystem::path& dir, std::shared_ptr<const SynonymTable> synonyms,
                   const LexicalOptions& options) {
    auto retriever = std::make_unique<XapianRetriever>(dir, std::move(synonyms), options);
    const std::size_t documents = retriever->documentCount();
    return OpenedLexicalIndex{std::move(retriever), documents};
  };
  return engine;
}

}  // namespace

const LexicalEngine& defaultLexicalEngine() {
  static const LexicalEngine engine = makeXapianEngine();
  return engine;
}

}  // namespace chatbot::retrieval
