#include "app/dense_retrieval.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "llm/llama_embedder.h"
#include "llm/llama_model.h"
#include "models/resolve.h"
#include "observability/log.h"
#include "retrieval/hybrid_retriever.h"

namespace chatbot::app {

namespace {

constexpr const char* kStaysLexical =
    " Retrieval stays lexical until this is fixed (EMBEDDING_MODEL=none turns dense retrieval "
    "off).";

retrieval::DenseIndexKind indexKind(config::DenseIndexKind kind) {
  switch (kind) {
    case config::DenseIndexKind::kFlat:
      return retrieval::DenseIndexKind::kFlat;
    case config::DenseIndexKind::kHnsw:
      return retrieval::DenseIndexKind::kHnsw;
  }
  return retrieval::DenseIndexKind::kFlat;
}

retrieval::Fusion hybridFusion(config::RetrievalFusion fusion) {
  switch (fusion) {
    case config::RetrievalFusion::kRrf:
      return retrieval::Fusion::kReciprocalRank;
    case config::RetrievalFusion::kWeighted:
      return retrieval::Fusion::kWeighted;
  }
  return retrieval::Fusion::kReciprocalRank;
}

}  // namespace

unsigned densePipelineThreads() {
  return std::max(4u, std::thread::hardware_concurrency());
}

DenseRetrieval setUpDenseRetrieval(const std::shared_ptr<const ingest::KnowledgeIndex>& index,
                                   const config::Config& config, bool show_progress) {
  DenseRetrieval out;
  if (models::isNone(config.embedding_model)) return out;
  try {
    const auto path = models::resolveModel(config.embedding_model, config.models_dir,
                                           models::ModelRole::kEmbedding);
    llm::LlamaEmbedderOptions embedder_options;
    embedder_options.model_path = path;
    embedder_options.pooling = config::toString(config.embedding_pooling);
    embedder_options.threads = config.llm_threads;
    auto embedder = std::make_shared<llm::LlamaEmbedder>(embedder_options);

    retrieval::DenseIndexOptions index_options;
    index_options.kind = indexKind(config.dense_index);
    index_options.show_progress = show_progress && isatty(STDERR_FILENO) == 1;
    const auto& info = index->info();
    auto dense_index = retrieval::DenseIndex::openOrBuild(
        {info.index_dir, info.identity, &index->articles()}, *embedder, index_options);
    auto dense = std::make_shared<retrieval::DenseRetriever>(embedder, dense_index);
    // The lexical retriever lives as long as the index that owns it.
    std::shared_ptr<const retrieval::Retriever> lexical(index, &index->retriever());
    retrieval::HybridOptions hybrid_options;
    hybrid_options.fusion = hybridFusion(config.retrieval_fusion);
    hybrid_options.dense_weight = config.dense_weight;
    out.hybrid =
        std::make_shared<retrieval::HybridRetriever>(std::move(lexical), dense, hybrid_options);
    out.dense = std::move(dense);
    out.index = std::move(dense_index);
    out.embedder = std::move(embedder);
    const auto& dense_info = out.index->info();
    log::info("retrieval.dense_ready", {{"embedder", dense_info.embedder},
                                        {"index", dense_info.dir.string()},
                                        {"vectors", dense_info.vectors},
                                        {"rebuilt", dense_info.rebuilt},
                                        {"ms", dense_info.build_ms},
                                        {"retriever", out.hybrid->name()}});
  } catch (const models::ModelNotFound& e) {
    out = {};
    out.error = std::string(e.what()) +
                " Download one with e.g. `chatbot models pull all-minilm-l6-v2`." + kStaysLexical;
  } catch (const llm::ModelLoadError& e) {
    out = {};
    out.error = "EMBEDDING_MODEL=" + config.embedding_model + ": " + e.what() + "." + kStaysLexical;
  } catch (const std::exception& e) {
    out = {};
    out.error = "dense retrieval could not start: " + std::string(e.what()) + "." + kStaysLexical;
  }
  return out;
}

}  // namespace chatbot::app
