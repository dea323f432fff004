// How model settings (aliases, Hugging Face ids, repo files, paths) resolve to files in
// MODELS_DIR,\nand what a setting that does not resolve says.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "models/resolve.h"

namespace chatbot::models {
namespace {

namespace fs = std::filesystem;

class ResolveModel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("chatbot-resolve-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string messageOf(const std::string& spec, const fs::path& dir, ModelRole role) {
    try {
      resolveModel(spec, dir, role);
    } catch (const ModelNotFound& e) {
      return e.what();
    }
    return "(resolved)";
  }
  fs::path dir_;
};

TEST_F(ResolveModel, AMissingAliasSaysWhichPullFixesIt) {
  const auto message = messageOf("TinyLlama/TinyLlama-1.1B-Chat-v1.0", dir_, ModelRole::kChat);
  EXPECT_NE(message.find("LLM_MODEL_ID=TinyLlama/TinyLlama-1.1B-Chat-v1.0"), std::string::npos)
      << message;
  EXPECT_NE(message.find("`chatbot models pull tinyllama-1.1b-chat`"), std::string::npos)
      << message;
  EXPECT_NE(message.find("668 MB"), std::string::npos) << message;
}

TEST_F(ResolveModel, AnAliasResolvesToItsFileInModelsDir) {
  std::ofstream(dir_ / "all-MiniLM-L6-v2-Q8_0.gguf") << "gguf";
  EXPECT_EQ(resolveModel("all-minilm-l6-v2", dir_, ModelRole::kEmbedding),
            dir_ / "all-MiniLM-L6-v2-Q8_0.gguf");
  EXPECT_EQ(resolveModel("sentence-transformers/all-MiniLM-L6-v2", dir_, ModelRole::kEmbedding),
            dir_ / "all-MiniLM-L6-v2-Q8_0.gguf");
}

TEST_F(ResolveModel, TheWrongRoleIsExplained) {
  const auto message = messageOf("all-minilm-l6-v2", dir_, ModelRole::kChat);
  EXPECT_NE(message.find("is an embedding model, not a chat model"), std::string::npos) << message;
}

TEST_F(ResolveModel, PathsAndRepoFilesWork) {
  std::ofstream(dir_ / "custom.gguf") << "gguf";
  EXPECT_EQ(resolveModel((dir_ / "custom.gguf").string(), "/nonexistent", ModelRole::kChat),
            dir_ / "custom.gguf");
  EXPECT_EQ(resolveModel("custom", dir_, ModelRole::kChat), dir_ / "custom.gguf");
  EXPECT_EQ(resolveModel("someone/Some-GGUF/custom.gguf", dir_, ModelRole::kChat),
            dir_ / "custom.gguf");
  const auto message = messageOf("someone/Some-GGUF/other.gguf", dir_, ModelRole::kChat);
  EXPECT_NE(message.find("`chatbot models pull someone/Some-GGUF/other.gguf`"), std::string::npos)
      << message;
  EXPECT_NE(messageOf("mystery", dir_, ModelRole::kEmbedding).find("EMBEDDING_MODEL=mystery"),
            std::string::npos);
  EXPECT_TRUE(isRepoFileSpec("a/b/c.gguf"));
  EXPECT_TRUE(isRepoFileSpec("a/b/sub/c.gguf"));
  EXPECT_FALSE(isRepoFileSpec("a/c.gguf"));
  EXPECT_FALSE(isRepoFileSpec("a/../c.gguf"));
  EXPECT_FALSE(isRepoFileSpec("a/b/c.bin"));
}

}  // namespace
}  // namespace chatbot::models
