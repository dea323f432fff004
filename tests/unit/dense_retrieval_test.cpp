// Dense index persistence and hybrid fusion over real retrievers: Xapian for lexical, FAISS with
// stories260K (mean pooling) embeddings for dense. stories260K is no embedding model, so these
// tests check mechanics (persistence, rebuild rules, fusion arithmetic), never ranking quality.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "ingest/knowledge_index.h"
#include "llm/llama_embedder.h"
#include "retrieval/dense_index.h"
#include "retrieval/hybrid_retriever.h"
#include "test_models.h"
#include "util/file.h"

namespace chatbot::retrieval {
namespace {

namespace fs = std::filesystem;
using chatbot::testing::testModel;

std::shared_ptr<llm::LlamaEmbedder> makeEmbedder(const std::string& model,
                                                 const std::string& pooling) {
  llm::LlamaEmbedderOptions o;
  o.model_path = testModel(model);
  o.pooling = pooling;
  o.threads = 1;
  o.max_sequence_tokens = 64;
  return std::make_shared<llm::LlamaEmbedder>(o);
}

class DenseRetrieval : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("chatbot-dense-test-" + std::to_string(::getpid()));
    ingest::IndexOptions o;
    o.kb_path = std::string(CHATBOT_TEST_DATA) + "/it_kb.jsonl";
    o.data_dir = root_ / "data";
    o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
    kb_ = ingest::KnowledgeIndex::open(o);
    embedder_ = makeEmbedder("stories260K.gguf", "mean");
  }
  static void TearDownTestSuite() {
    kb_.reset();
    embedder_.reset();
    fs::remove_all(root_);
  }
  void SetUp() override { fs::remove_all(kb_->info().index_dir / "dense"); }

  static DenseIndexSource source() {
    return {kb_->info().index_dir, kb_->info().identity, &kb_->articles()};
  }
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

TEST_F(DenseRetrieval, BuildsPersistsAndReopensWithoutReEmbedding) {
  const auto built = DenseIndex::openOrBuild(source(), *embedder_, {});
  EXPECT_TRUE(built->info().rebuilt);
  EXPECT_EQ(built->info().rebuild_reason, "no dense index yet");
  EXPECT_EQ(built->info().vectors, kb_->articles().size());
  EXPECT_EQ(built->dimension(), 64u);
  const auto m = manifest();
  EXPECT_EQ(m["embedder"], embedder_->identity());
  EXPECT_EQ(m["dimension"], 64);
  EXPECT_EQ(m["index_type"], "flat");
  EXPECT_EQ(m["articles"], kb_->articles().size());
  EXPECT_EQ(m["kb_identity"], kb_->info().identity);

  const auto file = kb_->info().index_dir / "dense" / "faiss.index";
  const auto written = fs::last_write_time(file);
  const auto reopened = DenseIndex::openOrBuild(source(), *embedder_, {});
  EXPECT_FALSE(reopened->info().rebuilt);
  EXPECT_EQ(fs::last_write_time(file), written);
  const auto query = embedder_->embed(std::vector<std::string>{"printer offline"}).at(0);
  const auto a = built->search(query, 5);
  const auto b = reopened->search(query, 5);
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), 5u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].article, b[i].article);
    EXPECT_FLOAT_EQ(a[i].similarity, b[i].similarity);
  }
}

TEST_F(DenseRetrieval, EveryArticleFindsItselfFirst) {
  const auto index = DenseIndex::openOrBuild(source(), *embedder_, {});
  const auto& articles = kb_->articles();
  for (std::size_t i = 0; i < articles.size(); ++i) {
    const std::string text = denseArticleText(articles[i], embedder_->contextTokens());
    const auto matches = index->search(embedder_->embed(std::span(&text, 1)).at(0), 3);
    ASSERT_FALSE(matches.empty());
    EXPECT_EQ(matches[0].article, i) << articles[i].id;
    EXPECT_NEAR(matches[0].similarity, 1.0, 1e-4);
  }
}

TEST_F(DenseRetrieval, ADifferentEmbedderOrDimensionRebuildsOrIsRefused) {
  DenseIndex::openOrBuild(source(), *embedder_, {});
  const auto last =
      makeEmbedder("stories260K.gguf", "last");  // same model and dimension, other vectors
  DenseIndexOptions refuse;
  refuse.rebuild_on_mismatch = false;
  try {
    DenseIndex::openOrBuild(source(), *last, refuse);
    ADD_FAILURE() << "an index of another embedder was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("chatbot ingest"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("embedder changed"), std::string::npos) << e.what();
  }
  const auto rebuilt = DenseIndex::openOrBuild(source(), *last, {});
  EXPECT_TRUE(rebuilt->info().rebuilt);
  EXPECT_EQ(manifest()["embedder"], last->identity());

  const auto tiny = makeEmbedder("llama-2-tiny-random.gguf", "mean");  // dimension 8
  const auto other_dimension = DenseIndex::openOrBuild(source(), *tiny, {});
  EXPECT_TRUE(other_dimension->info().rebuilt);
  EXPECT_EQ(other_dimension->dimension(), 8u);
  EXPECT_EQ(manifest()["dimension"], 8);
  // A retriever never pairs an embedder with an index of another dimension.
  EXPECT_THROW(DenseRetriever(embedder_, other_dimension), std::invalid_argument);
}

TEST_F(DenseRetrieval, ADamagedIndexFileIsRebuilt) {
  DenseIndex::openOrBuild(source(), *embedder_, {});
  std::ofstream(kb_->info().index_dir / "dense" / "faiss.index", std::ios::trunc) << "garbage";
  const auto index = DenseIndex::openOrBuild(source(), *embedder_, {});
  EXPECT_TRUE(index->info().rebuilt);
  EXPECT_NE(index->info().rebuild_reason.find("unusable"), std::string::npos)
      << index->info().rebuild_reason;
  EXPECT_EQ(index->info().vectors, kb_->articles().size());
}

TEST_F(DenseRetrieval, HnswIndexWorksAndSwitchingTypeRebuilds) {
  DenseIndex::openOrBuild(source(), *embedder_, {});
  DenseIndexOptions hnsw;
  hnsw.kind = DenseIndexKind::kHnsw;
  const auto index = DenseIndex::openOrBuild(source(), *embedder_, hnsw);
  EXPECT_TRUE(index->info().rebuilt);
  EXPECT_EQ(manifest()["index_type"], "hnsw");
  EXPECT_FALSE(DenseIndex::openOrBuild(source(), *embedder_, hnsw)->info().rebuilt);
  const auto& articles = kb_->articles();
  for (std::size_t i = 0; i < articles.size(); ++i) {
    const std::string text = denseArticleText(articles[i], embedder_->contextTokens());
    const auto matches =
        index->search(embedder_->embed(std::span(&text, 1)).at(0), articles.size());
    ASSERT_EQ(matches.size(), articles.size());  // a small graph reaches every node
    EXPECT_EQ(matches[0].article, i);
  }
  const DenseRetriever retriever(embedder_, index);
  EXPECT_EQ(retriever.name(), "faiss-hnsw");
}

TEST_F(DenseRetrieval, DenseScoresAreClampedCosines) {
  const auto retriever = dense();
  const auto hits = retriever->search("my laptop disk is full", 20);
  ASSERT_EQ(hits.size(), kb_->articles().size());
  for (std::size_t i = 0; i < hits.size(); ++i) {
    EXPECT_GE(hits[i].score, 0.0);
    EXPECT_LE(hits[i].score, 1.0);
    EXPECT_DOUBLE_EQ(hits[i].score, std::clamp(hits[i].raw_score, 0.0, 1.0));
    if (i > 0) {
      EXPECT_LE(hits[i].raw_score, hits[i - 1].raw_score);
    }
  }
  EXPECT_TRUE(retriever->search("   ", 5).empty());
  EXPECT_TRUE(retriever->search("printer", 0).empty());
}

// Recomputes the fusion from the two engines' own results and compares with the hybrid's.
struct Expected {
  double rrf = 0;
  double lexical = 0;
  double dense = 0;
};
std::map<std::size_t, Expected> expectedFusion(const Retriever& lexical, const Retriever& dense,
                                               std::string_view query, std::size_t pool) {
  std::map<std::size_t, Expected> out;
  const auto l = lexical.search(query, pool);
  const auto d = dense.search(query, pool);
  for (std::size_t r = 0; r < l.size(); ++r) {
    out[l[r].article].lexical = l[r].score;
    out[l[r].article].rrf += 1.0 / (60.0 + static_cast<double>(r + 1));
  }
  for (std::size_t r = 0; r < d.size(); ++r) {
    out[d[r].article].dense = d[r].score;
    out[d[r].article].rrf += 1.0 / (60.0 + static_cast<double>(r + 1));
  }
  return out;
}

TEST_F(DenseRetrieval, ReciprocalRankFusionRanksByRrfAndReportsTheWeightedScore) {
  const auto lex = lexical();
  const auto den = dense();
  const HybridRetriever hybrid(lex, den, {.fusion = Fusion::kReciprocalRank, .dense_weight = 0.5});
  EXPECT_EQ(hybrid.name(), "hybrid-rrf(xapian-bm25+faiss-flat)");
  for (const std::string query :
       {"printer shows offline", "vpn password expired", "teams microphone", "zzzz"}) {
    const auto expected = expectedFusion(*lex, *den, query, 20);
    const auto hits = hybrid.search(query, 4);
    ASSERT_EQ(hits.size(), std::min<std::size_t>(4, expected.size())) << query;
    double previous_rrf = 1e9;
    double previous_score = 1.0;
    for (const auto& h : hits) {
      const Expected& e = expected.at(h.article);
      EXPECT_NEAR(h.raw_score, e.rrf, 1e-12) << query;
      EXPECT_LE(h.raw_score, previous_rrf) << query;
      // Reported: the weighted combination, capped by the score above it.
      EXPECT_LE(h.score, 0.5 * e.dense + 0.5 * e.lexical + 1e-12) << query;
      EXPECT_LE(h.score, previous_score) << query;
      EXPECT_GE(h.score, 0.0);
      previous_rrf = h.raw_score;
      previous_score = h.score;
    }
    // The top hit's score is its own combination, uncapped.
    const Expected& top = expected.at(hits[0].article);
    EXPECT_NEAR(hits[0].score, 0.5 * top.dense + 0.5 * top.lexical, 1e-12) << query;
    // No article outside the returned ones has a higher RRF score than the last returned.
    for (const auto& [article, e] : expected) {
      const bool returned =
          std::any_of(hits.begin(), hits.end(), [&](const Hit& h) { return h.article == article; });
      if (!returned) {
        EXPECT_LE(e.rrf, hits.back().raw_score + 1e-12) << query;
      }
    }
  }
}

TEST_F(DenseRetrieval, WeightedFusionCombinesNormalisedScores) {
  const auto lex = lexical();
  const auto den = dense();
  for (const double w : {0.0, 0.3, 1.0}) {
    const HybridRetriever hybrid(lex, den, {.fusion = Fusion::kWeighted, .dense_weight = w});
    const std::string query = "outlook email not syncing";
    const auto expected = expectedFusion(*lex, *den, query, 20);
    const auto hits = hybrid.search(query, 5);
    ASSERT_EQ(hits.size(), 5u);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const Expected& e = expected.at(hits[i].article);
      EXPECT_NEAR(hits[i].score, w * e.dense + (1 - w) * e.lexical, 1e-12) << "w=" << w;
      EXPECT_DOUBLE_EQ(hits[i].raw_score, hits[i].score);
      if (i > 0) {
        EXPECT_LE(hits[i].score, hits[i - 1].score);
      }
    }
    if (w == 0.0) {
      EXPECT_EQ(hits[0].article, lex->search(query, 1).at(0).article);
    }
    if (w == 1.0) {
      EXPECT_EQ(hits[0].article, den->search(query, 1).at(0).article);
    }
  }
}

TEST_F(DenseRetrieval, HybridIsSafeFromManyThreads) {
  const HybridRetriever hybrid(lexical(), dense(), {});
  const auto expected = hybrid.search("wifi keeps dropping", 3);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(6, 0);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < 5; ++r) {
        const auto hits = hybrid.search("wifi keeps dropping", 3);
        if (hits.size() != expected.size() || hits[0].article != expected[0].article)
          ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace chatbot::retrieval
