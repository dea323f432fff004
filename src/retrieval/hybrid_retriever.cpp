#include "retrieval/hybrid_retriever.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "observability/log.h"

namespace chatbot::retrieval {

namespace {

struct Candidate {
  std::size_t article = 0;
  double lexical = 0;  // the engine's normalised score; 0 when it did not retrieve the article
  double dense = 0;
  double rrf = 0;
  double combined = 0;
};

}  // namespace

Fusion parseFusion(const std::string& name) {
  if (name == "rrf") return Fusion::kReciprocalRank;
  if (name == "weighted") return Fusion::kWeighted;
  throw std::invalid_argument("unknown fusion '" + name + "': use rrf or weighted");
}

std::string toString(Fusion fusion) {
  return fusion == Fusion::kWeighted ? "weighted" : "rrf";
}

HybridRetriever::HybridRetriever(std::shared_ptr<const Retriever> lexical,
                                 std::shared_ptr<const Retriever> dense, HybridOptions options)
    : lexical_(std::move(lexical)), dense_(std::move(dense)), options_(options) {
  if (!lexical_ || !dense_) {
    throw std::invalid_argument("HybridRetriever needs a lexical and a dense retriever");
  }
  options_.dense_weight = std::clamp(options_.dense_weight, 0.0, 1.0);
}

std::string HybridRetriever::name() const {
  return "hybrid-" + toString(options_.fusion) + "(" + lexical_->name() + "+" + dense_->name() +
         ")";
}

std::vector<Hit> HybridRetriever::search(std::string_view query, std::size_t k) const {
  std::vector<Hit> hits;
  if (k == 0) return hits;
  const std::size_t pool = std::max(options_.pool_factor * k, options_.min_pool);
  auto lexical = lexical_->search(query, pool);
  std::vector<Hit> dense;
  try {
    dense = dense_->search(query, pool);
  } catch (const std::exception& e) {
    // A failing model must not take answers down with it: this query is answered lexically,
    // with the lexical scores unchanged (they are what MIN_ANSWER_SCORE was tuned on).
    log::warn("retrieval.dense_failed", {{"error", e.what()}, {"retriever", dense_->name()}});
    if (lexical.size() > k) lexical.resize(k);
    return lexical;
  }

  std::unordered_map<std::size_t, Candidate> candidates;
  candidates.reserve(lexical.size() + dense.size());
  for (std::size_t rank = 0; rank < lexical.size(); ++rank) {
    Candidate& c = candidates[lexical[rank].article];
    c.article = lexical[rank].article;
    c.lexical = lexical[rank].score;
    c.rrf += 1.0 / (options_.rrf_k + static_cast<double>(rank + 1));
  }
  for (std::size_t rank = 0; rank < dense.size(); ++rank) {
    Candidate& c = candidates[dense[rank].article];
    c.article = dense[rank].article;
    c.dense = dense[rank].score;
    c.rrf += 1.0 / (options_.rrf_k + static_cast<double>(rank + 1));
  }
  std::vector<Candidate> ranked;
  ranked.reserve(candidates.size());
  const double w = options_.dense_weight;
  for (auto& [article, c] : candidates) {
    c.combined = std::clamp(w * c.dense + (1.0 - w) * c.lexical, 0.0, 1.0);
    ranked.push_back(c);
  }
  const bool by_rank = options_.fusion == Fusion::kReciprocalRank;
  // Ties fall back to the other score, then the article position, so results are deterministic.
  std::sort(ranked.begin(), ranked.end(), [by_rank](const Candidate& a, const Candidate& b) {
    const double pa = by_rank ? a.rrf : a.combined;
    const double pb = by_rank ? b.rrf : b.combined;
    if (pa != pb) return pa > pb;
    const double sa = by_rank ? a.combined : a.rrf;
    const double sb = by_rank ? b.combined : b.rrf;
    if (sa != sb) return sa > sb;
    return a.article < b.article;
  });
  if (ranked.size() > k) ranked.resize(k);
  hits.reserve(ranked.size());
  double ceiling = 1.0;
  for (const auto& c : ranked) {
    // Under RRF the combination need not fall with the rank: cap it to keep scores non-increasing.
    const double score = by_rank ? std::min(c.combined, ceiling) : c.combined;
    ceiling = score;
    hits.push_back({c.article, score, by_rank ? c.rrf : c.combined});
  }
  return hits;
}

}  // namespace chatbot::retrieval
