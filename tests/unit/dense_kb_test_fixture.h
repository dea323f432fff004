#pragma once
// A dense-retrieval test fixture: the small test KB (tests/data/it_kb.jsonl) indexed into a temp
// folder once per suite, and stories260K (mean pooling) as the embedder. stories260K is no
// embedding model: tests on it check mechanics (persistence, rebuild rules, fusion arithmetic),
// never ranking quality.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ingest/knowledge_index.h"
#include "llm/llama_embedder.h"
#include "retrieval/dense_index.h"
#include "test_models.h"
#include "util/file.h"

namespace chatbot::retrieval {

namespace fs = std::filesystem;

inline std::shared_ptr<llm::LlamaEmbedder> makeEmbedder(const std::string& model,
                                                        const std::string& pooling) {
  llm::LlamaEmbedderOptions o;
  o.model_path = chatbot::testing::testModel(model);
  o.pooling = pooling;
  o.threads = 1;
  o.max_sequence_tokens = 64;
  return std::make_shared<llm::LlamaEmbedder>(o);
}

// The small test KB, indexed (lexically) into `data_dir`.
inline std::shared_ptr<const ingest::KnowledgeIndex> openTestKb(const fs::path& data_dir) {
  ingest::IndexOptions o;
  o.kb_path = std::string(CHATBOT_TEST_DATA) + "/it_kb.jsonl";
  o.data_dir = data_dir;
  o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
  return ingest::KnowledgeIndex::open(o);
}

inline DenseIndexSource denseSourceOf(const ingest::KnowledgeIndex& kb) {
  return {kb.info().index_dir, kb.info().identity, &kb.articles()};
}

class DenseKbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("chatbot-dense-test-" + std::to_string(::getpid()));
    kb_ = openTestKb(root_ / "data");
    embedder_ = makeEmbedder("stories260K.gguf", "mean");
  }
  static void TearDownTestSuite() {
    kb_.reset();
    embedder_.reset();
    fs::remove_all(root_);
  }
  void SetUp() override { fs::remove_all(kb_->info().index_dir / "dense"); }

  static DenseIndexSource source() { return denseSourceOf(*kb_); }
  static std::shared_ptr<const Retriever> lexical() { return {kb_, &kb_->retriever()}; }
  static std::shared_ptr<const Retriever> dense(DenseIndexOptions options = {}) {
    return std::make_shared<DenseRetriever>(embedder_,
                                            DenseIndex::openOrBuild(source(), *embedder_, options));
  }
  static nlohmann::json manifest() {
    return nlohmann::json::parse(util::readFile(kb_->info().index_dir / "dense" / "manifest.json"));
  }

  static inline fs::path root_;
  static inline std::shared_ptr<const ingest::KnowledgeIndex> kb_;
  static inline std::shared_ptr<llm::LlamaEmbedder> embedder_;
};

}  // namespace chatbot::retrieval
