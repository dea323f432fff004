#pragma once
// Sentence embeddings from a GGUF model run in-process by llama.cpp (BERT-family encoders such as
// all-MiniLM-L6-v2, bge or e5; decoders work too with mean or last pooling).
//
// Threading: one llama context, owned by one batching thread. embed() tokenizes on the caller's
// thread, queues the texts and blocks on a future; the batching thread packs the queued texts of
// all callers as separate sequences into one llama_decode of up to max_batch_tokens tokens, so
// concurrent requests share model calls instead of waiting for each other.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "llm/embedder.h"
#include "util/mutex.h"

namespace chatbot::llm {

struct LlamaEmbedderOptions {
  std::filesystem::path model_path;
  // auto: the pooling the model declares in its metadata, or mean for a model without one (a
  // decoder); mean, cls or last override it.
  std::string pooling = "auto";
  unsigned threads = 0;  // 0: one per CPU core
  // Tokens per text, capped by the model's training context; longer texts are truncated (counted
  // in status().truncated_texts).
  std::size_t max_sequence_tokens = 512;
  // Tokens per model call. Encoders attend over the whole call, so it is also the physical batch;
  // raised to max_sequence_tokens when smaller.
  std::size_t max_batch_tokens = 512;
  std::size_t max_batch_sequences = 64;  // at most 256 (llama.cpp's limit)
};

class LlamaEmbedder final : public Embedder {
 public:
  // Loads the model and creates the context. Throws ModelLoadError saying what to do when the
  // file is missing, not a GGUF, an encoder-decoder or a reranker.
  explicit LlamaEmbedder(const LlamaEmbedderOptions& options);
  // Finishes the queued texts, then stops the batching thread.
  ~LlamaEmbedder() override;
  LlamaEmbedder(const LlamaEmbedder&) = delete;
  LlamaEmbedder& operator=(const LlamaEmbedder&) = delete;

  std::vector<std::vector<float>> embed(std::span<const std::string> texts) const override;
  std::size_t dimension() const override { return dimension_; }
  std::string identity() const override { return identity_; }
  EmbedderStatus status() const override;

  // Tokens per text after truncation (the model's usable context).
  std::size_t contextTokens() const noexcept { return max_sequence_tokens_; }

 private:
  struct Engine;  // llama.cpp model, context and batch: touched only by the batching thread
  struct Job;     // one embed() call
  struct Pending {
    std::shared_ptr<Job> job;
    std::size_t text = 0;  // index into the job's texts
  };

  std::vector<int> tokenizeForEmbedding(const std::string& text) const;
  void runBatches() EXCLUDES(mutex_);
  void decode(std::vector<Pending>& batch);

  std::unique_ptr<Engine> engine_;
  std::size_t dimension_ = 0;
  std::size_t max_sequence_tokens_ = 0;
  std::size_t max_batch_tokens_ = 0;
  std::size_t max_batch_sequences_ = 0;
  std::string pooling_;
  std::string identity_;
  mutable std::atomic<std::size_t> truncated_texts_{0};

  mutable util::Mutex mutex_;
  mutable std::condition_variable wake_;
  mutable std::deque<Pending> queue_ GUARDED_BY(mutex_);  // one entry per text
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread batcher_;  // started last, joined first
};

}  // namespace chatbot::llm
