// api/health.h: what the reference API's health fields say about the models (/health's
// models_loaded, /chat/health's details), from a real index of one article, a real embedder
// (stories260K) and a stand-in chat model.
#include "api/health.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dense_kb_test_fixture.h"
#include "rag/extractive_generator.h"

namespace chatbot::api {
namespace {

namespace fs = std::filesystem;

// Stands in for a loaded chat model: only its identity matters here.
class ModelGenerator final : public rag::Generator {
 public:
  rag::Generation generate(const rag::GenerationRequest&) const override { return {}; }
  std::string kind() const override { return "llama.cpp"; }
  std::string model() const override { return "tiny.gguf"; }
};

class LoadedModelsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("chatbot-health-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "kb");
    std::ofstream(root_ / "kb" / "a.md") << "---\nid: a\nsubject: Printer\n---\n1. Restart it.";
    ingest::IndexOptions o;
    o.kb_path = root_ / "kb";
    o.data_dir = root_ / "data";
    index_ = ingest::KnowledgeIndex::open(o);
  }
  static void TearDownTestSuite() {
    index_.reset();
    fs::remove_all(root_);
  }

  static rag::ChatServiceParts parts() {
    rag::ChatServiceParts p;
    p.index = index_;
    p.generator = std::make_shared<rag::ExtractiveGenerator>("desk");
    p.filter = std::make_shared<security::CredentialFilter>();
    return p;
  }
  static LoadedModels loaded(rag::ChatServiceParts p) {
    ServingState serving;
    serving.setReady(std::make_shared<rag::ChatService>(std::move(p)));
    return loadedModels(serving);
  }

  static inline fs::path root_;
  static inline std::shared_ptr<const ingest::KnowledgeIndex> index_;
};

TEST_F(LoadedModelsTest, NothingIsLoadedBeforeTheIndexIsOpenOrWhenStartingFailed) {
  ServingState serving;
  LoadedModels l = loadedModels(serving);
  EXPECT_FALSE(l.database || l.embeddings || l.llm || l.configured);
  serving.setFailed("KB_DIR does not exist");
  l = loadedModels(serving);
  EXPECT_FALSE(l.database || l.embeddings || l.llm || l.configured);
}

TEST_F(LoadedModelsTest, WithoutConfiguredModelsTheIndexIsAllThereIsToLoad) {
  const LoadedModels l = loaded(parts());
  EXPECT_TRUE(l.database);
  EXPECT_FALSE(l.embeddings);
  EXPECT_FALSE(l.llm);
  EXPECT_TRUE(l.configured);
}

TEST_F(LoadedModelsTest, LoadedModelsAreReported) {
  auto p = parts();
  p.fallback = p.generator;
  p.generator = std::make_shared<ModelGenerator>();
  p.embedder = retrieval::makeEmbedder("stories260K.gguf", "mean");  // a real one, loaded
  const LoadedModels l = loaded(std::move(p));
  EXPECT_TRUE(l.database && l.embeddings && l.llm && l.configured);
}

TEST_F(LoadedModelsTest, AConfiguredModelThatIsNotInUseMeansNotAllLoaded) {
  auto p = parts();
  p.generator_problem = "LLM_MODEL_ID=tiny: no such file";
  LoadedModels l = loaded(p);
  EXPECT_TRUE(l.database);
  EXPECT_FALSE(l.llm);
  EXPECT_FALSE(l.configured);
  p.generator_problem.clear();
  p.embedding_problem = "EMBEDDING_MODEL=mini: no such file";
  l = loaded(p);
  EXPECT_FALSE(l.embeddings);
  EXPECT_FALSE(l.configured);
}

}  // namespace
}  // namespace chatbot::api
