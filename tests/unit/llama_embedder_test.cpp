// The llama.cpp embedder on real GGUF models (stories260K with mean pooling; llama-2-tiny-random
// for the 32k Llama-2 tokenizer). Quality is not judged here: these models are not embedding
// models. What is checked is the contract: shape, normalisation, determinism, batching.
#include "llm/llama_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bert_test_model.h"
#include "llm/llama_model.h"
#include "test_models.h"

namespace chatbot::llm {
namespace {

using chatbot::testing::testModel;

constexpr std::size_t kStoriesDimension = 64;  // n_embd of stories260K

double norm(const std::vector<float>& v) {
  double sum = 0;
  for (const float x : v) sum += static_cast<double>(x) * x;
  return std::sqrt(sum);
}

double maxDifference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  return worst;
}

const std::vector<std::string>& sampleTexts() {
  static const std::vector<std::string> texts = {
      "How do I reset my password on my MacBook Air?",
      "VPN keeps disconnecting",
      "printer is offline",
      "Once upon a time, there was a little girl named Lily.",
      "My Outlook does not sync my email since this morning, what can I do?",
      "wifi",
      "Microphone does not work in Teams meetings; the others cannot hear me at all.",
      "disk full",
  };
  return texts;
}

// One thread: the test machines are shared, and ggml's spinning barriers make more threads
// slower there, not faster.
LlamaEmbedderOptions options(const std::filesystem::path& model, std::size_t max_tokens,
                             const std::string& pooling = "auto") {
  LlamaEmbedderOptions o;
  o.model_path = model;
  o.pooling = pooling;
  o.threads = 1;
  o.max_sequence_tokens = max_tokens;
  return o;
}

class StoriesEmbedder : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    embedder_ = std::make_unique<LlamaEmbedder>(options(testModel("stories260K.gguf"), 64, "mean"));
  }
  static void TearDownTestSuite() { embedder_.reset(); }
  static inline std::unique_ptr<LlamaEmbedder> embedder_;
};

TEST_F(StoriesEmbedder, ReturnsOneNormalisedVectorOfTheModelsDimensionPerText) {
  const auto vectors = embedder_->embed(sampleTexts());
  ASSERT_EQ(vectors.size(), sampleTexts().size());
  EXPECT_EQ(embedder_->dimension(), kStoriesDimension);
  for (const auto& v : vectors) {
    ASSERT_EQ(v.size(), kStoriesDimension);
    EXPECT_NEAR(norm(v), 1.0, 1e-5);
  }
  // Different texts give different vectors.
  EXPECT_GT(maxDifference(vectors[0], vectors[1]), 1e-3);
  EXPECT_TRUE(embedder_->embed(std::vector<std::string>{}).empty());
}

TEST_F(StoriesEmbedder, IsDeterministic) {
  const auto first = embedder_->embed(sampleTexts());
  const auto second = embedder_->embed(sampleTexts());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i], second[i]) << sampleTexts()[i];
}

TEST_F(StoriesEmbedder, ABatchEqualsOneTextAtATime) {
  const auto batched = embedder_->embed(sampleTexts());
  for (std::size_t i = 0; i < sampleTexts().size(); ++i) {
    const auto single = embedder_->embed(std::span(&sampleTexts()[i], 1));
    EXPECT_LT(maxDifference(batched[i], single.at(0)), 1e-4) << sampleTexts()[i];
  }
}

TEST_F(StoriesEmbedder, ConcurrentCallersGetTheSameVectorsAsSequentialCalls) {
  const auto& texts = sampleTexts();
  std::vector<std::vector<float>> sequential;
  for (const auto& t : texts) sequential.push_back(embedder_->embed(std::span(&t, 1)).at(0));

  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  std::vector<std::vector<std::vector<float>>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const auto& text = texts[static_cast<std::size_t>(t + r) % texts.size()];
        got[t].push_back(embedder_->embed(std::span(&text, 1)).at(0));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int r = 0; r < kRounds; ++r) {
      const std::size_t text = static_cast<std::size_t>(t + r) % texts.size();
      EXPECT_LT(maxDifference(got[t][r], sequential[text]), 1e-4)
          << "thread " << t << " round " << r;
    }
  }
  EXPECT_EQ(embedder_->status().queue_depth, 0u);
}

TEST_F(StoriesEmbedder, TruncatesLongTextsToItsContextAndSaysSo) {
  const auto before = embedder_->status().truncated_texts;
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "the printer is offline again and again ";
  const auto vectors = embedder_->embed(std::vector<std::string>{long_text, "short"});
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_NEAR(norm(vectors[0]), 1.0, 1e-5);
  const auto status = embedder_->status();
  EXPECT_EQ(status.truncated_texts, before + 1);
  EXPECT_EQ(status.context, 64u);
  EXPECT_EQ(status.pooling, "mean");
  EXPECT_EQ(status.dimension, kStoriesDimension);
}

TEST_F(StoriesEmbedder, IdentityNamesTheFilePoolingAndDimension) {
  const std::string id = embedder_->identity();
  EXPECT_NE(id.find("stories260K.gguf"), std::string::npos) << id;
  EXPECT_NE(id.find(std::to_string(std::filesystem::file_size(testModel("stories260K.gguf")))),
            std::string::npos)
      << id;
  EXPECT_NE(id.find(":mean:64"), std::string::npos) << id;
  EXPECT_EQ(embedder_->status().model, id);
}

TEST(LlamaEmbedder, AutoPoolingIsMeanForADecoderAndOtherPoolingsGiveOtherVectors) {
  LlamaEmbedderOptions o = options(testModel("stories260K.gguf"), 32);
  const LlamaEmbedder automatic(o);
  EXPECT_EQ(automatic.status().pooling, "mean");
  o.pooling = "last";
  const LlamaEmbedder last(o);
  EXPECT_EQ(last.status().pooling, "last");
  EXPECT_NE(automatic.identity(), last.identity());
  const std::vector<std::string> text = {"VPN keeps disconnecting"};
  const auto a = automatic.embed(text).at(0);
  const auto b = last.embed(text).at(0);
  EXPECT_NEAR(norm(b), 1.0, 1e-5);
  EXPECT_GT(maxDifference(a, b), 1e-3);
}

TEST(LlamaEmbedder, LoadsTheLlama2TokenizerModel) {
  const LlamaEmbedder embedder(options(testModel("llama-2-tiny-random.gguf"), 64));
  EXPECT_EQ(embedder.dimension(), 8u);
  const auto vectors =
      embedder.embed(std::vector<std::string>{"Réinitialiser le mot de passe — 日本語", "VPN"});
  ASSERT_EQ(vectors.size(), 2u);
  for (const auto& v : vectors) EXPECT_NEAR(norm(v), 1.0, 1e-5);
}

// llama.cpp's encoder path: a BERT-architecture GGUF (random weights, real WordPiece vocabulary)
// declaring CLS pooling, which `auto` must take from the file.
TEST(LlamaEmbedder, EmbedsWithABertEncoderAndItsDeclaredPooling) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("bert-test-" + std::to_string(::getpid()) + ".gguf");
  testing::BertShape shape;
  shape.pooling = 2;  // cls
  testing::writeBertTestModel(testModel("all-MiniLM-L6-v2-tokenizer/vocab.txt"), path, shape);
  {
    const LlamaEmbedder embedder(options(path, 512));  // capped to the model's 128 positions
    EXPECT_EQ(embedder.dimension(), 32u);
    EXPECT_EQ(embedder.status().pooling, "cls");
    EXPECT_EQ(embedder.status().context, 128u);
    std::vector<std::string> texts = sampleTexts();
    std::string long_text;
    for (int i = 0; i < 100; ++i) long_text += "my vpn keeps disconnecting ";
    texts.push_back(long_text);
    const auto batched = embedder.embed(texts);
    ASSERT_EQ(batched.size(), texts.size());
    EXPECT_EQ(embedder.status().truncated_texts, 1u);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      EXPECT_NEAR(norm(batched[i]), 1.0, 1e-5);
      const auto single = embedder.embed(std::span(&texts[i], 1));
      EXPECT_LT(maxDifference(batched[i], single.at(0)), 1e-4) << texts[i];
    }
    EXPECT_GT(maxDifference(batched[0], batched[1]), 1e-3);
  }
  std::filesystem::remove(path);
}

TEST(LlamaEmbedder, AMissingOrInvalidModelIsAModelLoadError) {
  LlamaEmbedderOptions o;
  o.model_path = "/nonexistent/model.gguf";
  EXPECT_THROW(LlamaEmbedder{o}, ModelLoadError);
  const auto bogus = std::filesystem::temp_directory_path() /
                     ("not-a-model-" + std::to_string(::getpid()) + ".gguf");
  std::ofstream(bogus) << "this is not a GGUF file";
  o.model_path = bogus;
  try {
    LlamaEmbedder embedder(o);
    ADD_FAILURE() << "loaded a text file as a model";
  } catch (const ModelLoadError& e) {
    EXPECT_NE(std::string(e.what()).find(bogus.string()), std::string::npos) << e.what();
  }
  std::filesystem::remove(bogus);
  o.model_path = testModel("stories260K.gguf");
  o.pooling = "max";
  EXPECT_THROW(LlamaEmbedder{o}, ModelLoadError);
}

}  // namespace
}  // namespace chatbot::llm
