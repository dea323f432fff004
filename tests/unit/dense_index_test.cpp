// DenseIndex and DenseRetriever over real FAISS indexes of stories260K (mean pooling) embeddings:
// the Retriever contract (tests/contracts/retriever_contract.cpp), persistence and rebuild rules,
// index types and score clamping. stories260K is no embedding model, so these tests check
// mechanics, never ranking quality.
#include "retrieval/dense_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "contracts/retriever_contract.h"
#include "dense_kb_test_fixture.h"

namespace chatbot::retrieval {
namespace {

contract::RetrieverUnderTest denseOnTestKb(const fs::path& scratch_dir) {
  const auto kb = openTestKb(scratch_dir);
  const std::shared_ptr<const llm::Embedder> embedder = makeEmbedder("stories260K.gguf", "mean");
  const auto index = DenseIndex::openOrBuild(denseSourceOf(*kb), *embedder, {});
  return {std::make_shared<DenseRetriever>(embedder, index), {kb, &kb->articles()}};
}

}  // namespace

namespace contract {
INSTANTIATE_TEST_SUITE_P(Dense, RetrieverContract,
                         ::testing::Values(RetrieverBackend{"Dense", denseOnTestKb}),
                         retrieverBackendName);
}  // namespace contract

namespace {

class DenseIndexTest : public DenseKbTest {};

TEST_F(DenseIndexTest, BuildsPersistsAndReopensWithoutReEmbedding) {
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

TEST_F(DenseIndexTest, EveryArticleFindsItselfFirst) {
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

TEST_F(DenseIndexTest, ADifferentEmbedderOrDimensionRebuildsOrIsRefused) {
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

TEST_F(DenseIndexTest, ADamagedIndexFileIsRebuilt) {
  DenseIndex::openOrBuild(source(), *embedder_, {});
  std::ofstream(kb_->info().index_dir / "dense" / "faiss.index", std::ios::trunc) << "garbage";
  const auto index = DenseIndex::openOrBuild(source(), *embedder_, {});
  EXPECT_TRUE(index->info().rebuilt);
  EXPECT_NE(index->info().rebuild_reason.find("unusable"), std::string::npos)
      << index->info().rebuild_reason;
  EXPECT_EQ(index->info().vectors, kb_->articles().size());
}

TEST_F(DenseIndexTest, HnswIndexWorksAndSwitchingTypeRebuilds) {
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

TEST_F(DenseIndexTest, DenseScoresAreClampedCosines) {
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

}  // namespace
}  // namespace chatbot::retrieval
