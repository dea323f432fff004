#pragma once
// Hybrid retrieval: lexical (Xapian BM25) and dense (embeddings) results fused into one ranking.
//
// Ranking, by RETRIEVAL_FUSION:
// - rrf: reciprocal-rank fusion, sum over both lists of 1 / (rrf_k + rank). Robust to the two
//   engines' incomparable score scales; the default.
// - weighted: dense_weight x cosine + (1 - dense_weight) x lexical score.
// Reported Hit.score, in both modes, is the weighted combination (an article one engine did not
// retrieve gets 0 from it), so it stays in [0, 1] and keeps its meaning for MIN_ANSWER_SCORE: an
// RRF score only says how ranks agree, not whether anything answers the question. Under RRF the
// reported score is capped by the one above it, so scores are non-increasing as the Retriever
// contract requires. raw_score is the ranking score (RRF sum, or the weighted combination).
// If the dense search throws (the model failed), the query is answered lexically and logged.
#include <memory>
#include <string>

#include "retrieval/retriever.h"

namespace chatbot::retrieval {

enum class Fusion { kReciprocalRank, kWeighted };

// "rrf" or "weighted" (RETRIEVAL_FUSION). Throws std::invalid_argument for anything else.
Fusion parseFusion(const std::string& name);
std::string toString(Fusion fusion);

struct HybridOptions {
  Fusion fusion = Fusion::kReciprocalRank;
  double dense_weight = 0.5;  // [0, 1]
  double rrf_k = 60;          // damping of reciprocal-rank fusion (Cormack et al.)
  // Each engine is asked for max(pool_factor x k, min_pool) candidates, so an article ranked
  // lower by one engine can still be lifted by the other.
  std::size_t pool_factor = 4;
  std::size_t min_pool = 20;
};

// Thread-safe when both retrievers are; runs the two searches one after the other on the
// caller's thread (the dense one blocks on the embedder: not for HTTP threads).
class HybridRetriever final : public Retriever {
 public:
  HybridRetriever(std::shared_ptr<const Retriever> lexical, std::shared_ptr<const Retriever> dense,
                  HybridOptions options);
  std::vector<Hit> search(std::string_view query, std::size_t k) const override;
  std::string name() const override;

 private:
  std::shared_ptr<const Retriever> lexical_;
  std::shared_ptr<const Retriever> dense_;
  HybridOptions options_;
};

}  // namespace chatbot::retrieval
