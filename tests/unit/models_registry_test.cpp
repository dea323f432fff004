// The model registry: well-formed entries, lookups by alias or Hugging Face id, sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "models/registry.h"

namespace chatbot::models {
namespace {

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
    EXPECT_TRUE(
        m.sha256.empty() ||
        (m.sha256.size() == 64 &&
         std::all_of(m.sha256.begin(), m.sha256.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })))
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

}  // namespace
}  // namespace chatbot::models
