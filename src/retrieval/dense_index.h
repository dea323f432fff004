#pragma once
// Dense retrieval: article embeddings in a FAISS inner-product index (vectors are L2-normalised,
// so inner product is cosine similarity), persisted beside the lexical index.
//
// Layout: <index_dir>/dense/{faiss.index, manifest.json}. The manifest records the embedder's
// identity and dimension, the index type, the article count and the lexical index identity; an
// index whose manifest does not match the current embedder and settings is rebuilt (or refused),
// never searched with vectors of another model. Builds go to a temporary folder renamed into
// place under <index_dir>/.dense.lock, so a crash never leaves a half-written index.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kb/article.h"
#include "llm/embedder.h"
#include "retrieval/retriever.h"
#include "retrieval/vector_index.h"

namespace faiss {
struct Index;
}

namespace chatbot::retrieval {

enum class DenseIndexKind { kFlat, kHnsw };

// "flat" or "hnsw" (DENSE_INDEX). Throws std::invalid_argument for anything else.
DenseIndexKind parseDenseIndexKind(const std::string& name);
std::string toString(DenseIndexKind kind);

struct DenseIndexOptions {
  DenseIndexKind kind = DenseIndexKind::kFlat;  // flat: exact; hnsw: approximate, for large KBs
  int hnsw_m = 32;                              // graph degree
  int hnsw_ef_construction = 80;                // build-time beam
  int hnsw_ef_search = 128;  // query-time beam (at least the number of results asked for)
  // false: an index built for another embedder or settings is an error instead of a rebuild.
  bool rebuild_on_mismatch = true;
  bool show_progress = false;  // progress bar on stderr when it is a terminal
};

// Where the lexical index lives and what it holds: the dense index is built for exactly these
// articles, and id i is article i.
struct DenseIndexSource {
  std::filesystem::path index_dir;  // KnowledgeIndex::info().index_dir
  std::string kb_identity;          // KnowledgeIndex::info().identity
  const std::vector<kb::Article>* articles = nullptr;
};

struct DenseIndexInfo {
  std::filesystem::path dir;
  std::string embedder;  // identity of the embedder that produced the vectors
  std::size_t dimension = 0;
  std::size_t vectors = 0;
  DenseIndexKind kind = DenseIndexKind::kFlat;
  bool rebuilt = false;
  std::string rebuild_reason;  // why this open() built the index ("" when reused)
  double build_ms = 0;
};

// The text embedded for an article: subject, alternative questions, tags, then the beginning of
// the body as plain text, cut to about `context_tokens` tokens (the embedder truncates exactly).
std::string denseArticleText(const kb::Article& article, std::size_t context_tokens);

// Immutable after open: search() is safe from any number of threads.
// The FAISS VectorIndex.
class DenseIndex final : public VectorIndex {
 public:
  // Opens the index in source.index_dir/dense if its manifest matches `embedder` and `options`;
  // otherwise (re)builds it from the articles, or throws std::runtime_error when
  // rebuild_on_mismatch is false. Throws std::runtime_error when embedding or writing fails.
  static std::shared_ptr<const DenseIndex> openOrBuild(const DenseIndexSource& source,
                                                       const llm::Embedder& embedder,
                                                       const DenseIndexOptions& options);
  ~DenseIndex() override;
  DenseIndex(const DenseIndex&) = delete;
  DenseIndex& operator=(const DenseIndex&) = delete;

  // The `k` most similar articles to the normalised `query` (dimension() floats), best first.
  std::vector<DenseMatch> search(const std::vector<float>& query, std::size_t k) const override;
  std::size_t dimension() const noexcept override { return info_.dimension; }
  std::string name() const override { return "faiss-" + toString(info_.kind); }
  const DenseIndexInfo& info() const noexcept { return info_; }

 private:
  DenseIndex() = default;
  std::unique_ptr<faiss::Index> index_;
  DenseIndexInfo info_;
};

// Embeds the query and searches the dense index. Hit.score is the cosine similarity clamped to
// [0, 1]; raw_score is the unclamped cosine. Thread-safe; blocks on the embedder, so it must not
// run on HTTP threads.
class DenseRetriever final : public Retriever {
 public:
  DenseRetriever(std::shared_ptr<const llm::Embedder> embedder,
                 std::shared_ptr<const VectorIndex> index);
  std::vector<Hit> search(std::string_view query, std::size_t k) const override;
  std::string name() const override { return index_->name(); }

 private:
  std::shared_ptr<const llm::Embedder> embedder_;
  std::shared_ptr<const VectorIndex> index_;
};

}  // namespace chatbot::retrieval
