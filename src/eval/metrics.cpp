#include "eval/metrics.h"

#include <algorithm>
#include <cmath>

namespace chatbot::eval {

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

Metrics computeMetrics(const std::vector<QueryOutcome>& outcomes) {
  Metrics m;
  m.queries = outcomes.size();
  if (outcomes.empty()) return m;
  std::vector<double> latencies;
  latencies.reserve(outcomes.size());
  for (const auto& o : outcomes) {
    latencies.push_back(o.latency_ms);
    const auto& ranked = o.ranked_ids;
    auto relevant = [&](std::size_t i) { return o.relevant_ids.count(ranked[i]) > 0; };
    if (!ranked.empty() && relevant(0)) m.hit_at_1 += 1;
    for (std::size_t i = 0; i < ranked.size() && i < 5; ++i) {
      if (relevant(i)) {
        m.hit_at_5 += 1;
        break;
      }
    }
    for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
      if (relevant(i)) {
        m.mrr_at_10 += 1.0 / static_cast<double>(i + 1);
        break;
      }
    }
    double dcg = 0;
    for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
      if (relevant(i)) dcg += 1.0 / std::log2(static_cast<double>(i) + 2.0);
    }
    double ideal = 0;
    for (std::size_t i = 0; i < o.relevant_ids.size() && i < 10; ++i) {
      ideal += 1.0 / std::log2(static_cast<double>(i) + 2.0);
    }
    if (ideal > 0) m.ndcg_at_10 += dcg / ideal;
  }
  const auto n = static_cast<double>(outcomes.size());
  m.hit_at_1 /= n;
  m.hit_at_5 /= n;
  m.mrr_at_10 /= n;
  m.ndcg_at_10 /= n;
  m.p50_ms = percentile(latencies, 0.50);
  m.p95_ms = percentile(latencies, 0.95);
  return m;
}

}  // namespace chatbot::eval
