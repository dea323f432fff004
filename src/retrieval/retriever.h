#pragma once
// The retrieval seam: the RAG pipeline asks a Retriever for the best articles and never sees the
// engine behind it (Xapian today; FAISS or a remote service later).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::retrieval {

struct Hit {
  std::size_t article = 0;  // position in the ArticleStore the index was built from
  double score = 0.0;       // normalised to [0, 1]; comparable across queries, for thresholds
  double raw_score = 0.0;   // the engine's own score (BM25 weight for Xapian)
};

// Implementations are thread-safe: search() may run concurrently from any number of threads.
class Retriever {
 public:
  virtual ~Retriever() = default;
  // At most `k` hits, best first, scores non-increasing. Empty when nothing matches.
  virtual std::vector<Hit> search(std::string_view query, std::size_t k) const = 0;
  virtual std::string name() const = 0;
};

}  // namespace chatbot::retrieval
