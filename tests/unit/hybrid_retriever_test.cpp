// HybridRetriever over real retrievers, Xapian for lexical and FAISS with stories260K (mean
// pooling) embeddings for dense: the Retriever contract (tests/contracts/retriever_contract.cpp),
// then the fusion arithmetic recomputed from the two engines' own results.
#include "retrieval/hybrid_retriever.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "contracts/retriever_contract.h"
#include "dense_kb_test_fixture.h"

namespace chatbot::retrieval {
namespace {

contract::RetrieverUnderTest hybridOnTestKb(const fs::path& scratch_dir) {
  const auto kb = openTestKb(scratch_dir);
  const std::shared_ptr<const llm::Embedder> embedder = makeEmbedder("stories260K.gguf", "mean");
  const auto index = DenseIndex::openOrBuild(denseSourceOf(*kb), *embedder, {});
  const std::shared_ptr<const Retriever> lexical(kb, &kb->retriever());
  return {std::make_shared<HybridRetriever>(
              lexical, std::make_shared<DenseRetriever>(embedder, index), HybridOptions{}),
          {kb, &kb->articles()}};
}

}  // namespace

namespace contract {
INSTANTIATE_TEST_SUITE_P(Hybrid, RetrieverContract,
                         ::testing::Values(RetrieverBackend{"Hybrid", hybridOnTestKb}),
                         retrieverBackendName);
}  // namespace contract

namespace {

class HybridRetrieverTest : public DenseKbTest {};

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

TEST_F(HybridRetrieverTest, ReciprocalRankFusionRanksByRrfAndReportsTheWeightedScore) {
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

TEST_F(HybridRetrieverTest, WeightedFusionCombinesNormalisedScores) {
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

TEST_F(HybridRetrieverTest, HybridIsSafeFromManyThreads) {
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
