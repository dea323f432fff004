// The model registry and how model settings resolve to files in MODELS_DIR.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "models/registry.h"
#include "models/resolve.h"
#include "util/hash.h"

namespace chatbot::models {
namespace {

namespace fs = std::filesystem;

TEST(ModelRegistry, EntriesAreWellFormed) {
  std::set<std::string_view> names;
  std::size_t chat = 0;
  for (const auto& m : knownModels()) {
    EXPECT_TRUE(names.insert(m.alias).second) << "duplicate alias " << m.alias;
    for (const auto other : m.other_names)
      EXPECT_TRUE(names.insert(other).second) << "duplicate name " << other;
    for (const char c : m.alias)
      EXPECT_FALSE(c >= 'A' && c <= 'Z') << m.alias << " must be lower-case";
    EXPECT_TRUE(m.file.ends_with(".gguf")) << m.file;
    EXPECT_EQ(std::count(m.repo.begin(), m.repo.end(), '/'), 1) << m.repo;
    EXPECT_TRUE(m.sha256.empty() ||
                (m.sha256.size() == 64 && std::all_of(m.sha256.begin(), m.sha256.end(), [](char c) {
                   return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                 })))
        << m.alias << ": a pin is 64 lower-case hex digits";
    EXPECT_GT(m.approx_bytes, 1'000'000u) << m.alias;
    if (m.role == ModelRole::kChat)
      ++chat;
    else
      EXPECT_TRUE(m.chat_template_hint.empty()) << m.alias;
  }
  EXPECT_EQ(chat, 7u);
  EXPECT_EQ(knownModels().size(), 11u);
}

TEST(ModelRegistry, FindsAliasesAndHuggingFaceIdsIgnoringCase) {
  const auto* tiny = findKnownModel("tinyllama-1.1b-chat");
  ASSERT_NE(tiny, nullptr);
  EXPECT_EQ(findKnownModel("TinyLlama/TinyLlama-1.1B-Chat-v1.0"),
            tiny);  // the reference design's default
  EXPECT_EQ(findKnownModel("  TINYLLAMA-1.1B-CHAT "), tiny);
  EXPECT_EQ(findKnownModel("sentence-transformers/all-MiniLM-L6-v2")->alias, "all-minilm-l6-v2");
  EXPECT_EQ(findKnownModel("paraphrase-multilingual-MiniLM-L12-v2")->alias,
            "paraphrase-multilingual-minilm-l12-v2");
  EXPECT_EQ(findKnownModel("bge-small")->alias, "bge-small-en-v1.5");
  EXPECT_EQ(findKnownModel("e5")->alias, "e5-small-v2");
  EXPECT_EQ(findKnownModel("Qwen/Qwen2.5-1.5B-Instruct")->alias, "qwen2.5-1.5b-instruct");
  EXPECT_EQ(findKnownModel("meta-llama/Llama-3.2-1B-Instruct")->role, ModelRole::kChat);
  EXPECT_EQ(findKnownModel("gpt-4"), nullptr);
  EXPECT_EQ(findKnownModel(""), nullptr);
}

TEST(ModelRegistry, FormatsSizesLikeHuggingFace) {
  EXPECT_EQ(formatSize(668'000'000), "668 MB");
  EXPECT_EQ(formatSize(1'710'000'000), "1.71 GB");
  EXPECT_EQ(formatSize(25'000'000), "25 MB");
  EXPECT_EQ(formatSize(512), "512 B");
}

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

TEST(Sha256File, MatchesTheInMemoryHash) {
  const fs::path path = fs::temp_directory_path() / ("chatbot-sha-" + std::to_string(::getpid()));
  std::string bytes(3 * 1024 * 1024 + 17, 'q');
  bytes[12345] = 'z';
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(util::sha256File(path), util::sha256Hex(bytes));
  fs::remove(path);
  EXPECT_THROW(util::sha256File(path), std::runtime_error);
}

}  // namespace
}  // namespace chatbot::models
