#pragma once
// Dense and hybrid retrieval from the configuration (EMBEDDING_MODEL, EMBEDDING_POOLING,
// LLM_THREADS, DENSE_INDEX, RETRIEVAL_FUSION, DENSE_WEIGHT), shared by serve, ask, ingest and eval.
#include <memory>
#include <string>

#include "config/config.h"
#include "ingest/knowledge_index.h"
#include "llm/embedder.h"
#include "retrieval/dense_index.h"
#include "retrieval/retriever.h"

namespace chatbot::app {

struct DenseRetrieval {
  std::shared_ptr<const llm::Embedder> embedder;
  std::shared_ptr<const retrieval::DenseIndex> index;
  std::shared_ptr<const retrieval::Retriever> dense;   // embeddings only (eval compares it)
  std::shared_ptr<const retrieval::Retriever> hybrid;  // lexical + dense: what answers questions
  // Set when EMBEDDING_MODEL names a model but dense retrieval could not start: what went wrong
  // and the command or setting that fixes it. Retrieval then stays lexical.
  std::string error;

  bool enabled() const noexcept { return hybrid != nullptr; }
};

// Threads of the chat pipeline when retrieval blocks on the embedder: enough waiting queries to
// fill the embedder's batches, none of them HTTP threads.
unsigned densePipelineThreads();

// All empty when EMBEDDING_MODEL is none. Otherwise resolves the model, loads the embedder and
// opens the dense index beside `index` (building it, with a progress bar when `show_progress` and
// stderr is a terminal, if it is missing or was built for another model or settings). Never
// throws: failures are reported in `error`.
DenseRetrieval setUpDenseRetrieval(const std::shared_ptr<const ingest::KnowledgeIndex>& index,
                                   const config::Config& config, bool show_progress);

}  // namespace chatbot::app
