#pragma once
// Ranking metrics for retrieval evaluation, at entry level with binary relevance.
#include <string>
#include <unordered_set>
#include <vector>

namespace chatbot::eval {

struct QueryOutcome {
  std::vector<std::string> ranked_ids;  // best first
  std::unordered_set<std::string> relevant_ids;
  double latency_ms = 0;
};

struct Metrics {
  std::size_t queries = 0;
  double hit_at_1 = 0;
  double hit_at_5 = 0;
  double mrr_at_10 = 0;
  double ndcg_at_10 = 0;
  double p50_ms = 0;
  double p95_ms = 0;
};

Metrics computeMetrics(const std::vector<QueryOutcome>& outcomes);

// Value at quantile q (0-1) of `values` by the nearest-rank method; 0 when empty.
double percentile(std::vector<double> values, double q);

}  // namespace chatbot::eval
