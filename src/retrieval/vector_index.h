#pragma once
// The seam between dense retrieval and a vector search engine: DenseRetriever embeds the query and
// asks a VectorIndex for the nearest article vectors. The engine today is FAISS
// (retrieval/dense_index.*: exact inner product or HNSW); another one (e.g. pgvector, a remote
// vector store) implements this interface and is chosen in app/dense_retrieval.cpp.
#include <cstddef>
#include <string>
#include <vector>

namespace chatbot::retrieval {

struct DenseMatch {
  std::size_t article = 0;
  float similarity = 0;  // cosine similarity, [-1, 1]
};

// Implementations are immutable once open: search() is safe from any number of threads.
class VectorIndex {
 public:
  virtual ~VectorIndex() = default;
  // The `k` most similar articles to the normalised `query` (dimension() floats), best first.
  virtual std::vector<DenseMatch> search(const std::vector<float>& query, std::size_t k) const = 0;
  virtual std::size_t dimension() const noexcept = 0;
  // What /health and replies call the engine, e.g. "faiss-flat".
  virtual std::string name() const = 0;
};

}  // namespace chatbot::retrieval
