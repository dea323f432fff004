// Retrieval-quality metrics of `chatbot eval` (eval/metrics.h).
#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace chatbot {
namespace {

TEST(Metrics, MatchHandComputedValues) {
  std::vector<eval::QueryOutcome> outcomes(2);
  outcomes[0].ranked_ids = {"a", "b", "c"};
  outcomes[0].relevant_ids = {"a"};
  outcomes[0].latency_ms = 1;
  outcomes[1].ranked_ids = {"x", "y", "b"};
  outcomes[1].relevant_ids = {"b", "z"};
  outcomes[1].latency_ms = 3;
  const auto m = eval::computeMetrics(outcomes);
  EXPECT_DOUBLE_EQ(m.hit_at_1, 0.5);
  EXPECT_DOUBLE_EQ(m.hit_at_5, 1.0);
  EXPECT_DOUBLE_EQ(m.mrr_at_10, (1.0 + 1.0 / 3) / 2);
  const double ndcg2 = (1 / std::log2(4.0)) / (1 + 1 / std::log2(3.0));
  EXPECT_NEAR(m.ndcg_at_10, (1.0 + ndcg2) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(m.p50_ms, 1);
  EXPECT_DOUBLE_EQ(m.p95_ms, 3);
}

}  // namespace
}  // namespace chatbot
