#include "llm/llama_embedder.h"

#include <ggml-cpu.h>
#include <llama.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <stdexcept>

#include "llm/llama_model.h"
#include "observability/log.h"

namespace chatbot::llm {

namespace {

constexpr std::size_t kMaxSequences = 256;  // LLAMA_MAX_SEQ in llama.cpp

std::string poolingName(enum llama_pooling_type pooling) {
  switch (pooling) {
    case LLAMA_POOLING_TYPE_MEAN:
      return "mean";
    case LLAMA_POOLING_TYPE_CLS:
      return "cls";
    case LLAMA_POOLING_TYPE_LAST:
      return "last";
    case LLAMA_POOLING_TYPE_RANK:
      return "rank";
    default:
      return "none";
  }
}

// The pooling the model declares ("<arch>.pooling_type" in the GGUF), or UNSPECIFIED.
enum llama_pooling_type declaredPooling(const llama_model* model) {
  const std::string value =
      metadata(model, metadata(model, "general.architecture") + ".pooling_type");
  if (value.empty()) return LLAMA_POOLING_TYPE_UNSPECIFIED;
  try {
    return static_cast<enum llama_pooling_type>(std::stoi(value));
  } catch (const std::exception&) {
    return LLAMA_POOLING_TYPE_UNSPECIFIED;
  }
}

enum llama_pooling_type choosePooling(const std::string& requested, const llama_model* model,
                                      const std::filesystem::path& path) {
  if (requested == "mean") return LLAMA_POOLING_TYPE_MEAN;
  if (requested == "cls") return LLAMA_POOLING_TYPE_CLS;
  if (requested == "last") return LLAMA_POOLING_TYPE_LAST;
  if (requested != "auto") {
    throw ModelLoadError("unknown pooling '" + requested +
                         "': set EMBEDDING_POOLING to auto, mean, cls or last");
  }
  const enum llama_pooling_type declared = declaredPooling(model);
  if (declared == LLAMA_POOLING_TYPE_RANK) {
    throw ModelLoadError(
        path.filename().string() +
        " is a reranker (pooling 'rank'), not an embedding model: set EMBEDDING_MODEL to a "
        "sentence-embedding GGUF such as all-MiniLM-L6-v2");
  }
  if (declared == LLAMA_POOLING_TYPE_MEAN || declared == LLAMA_POOLING_TYPE_CLS ||
      declared == LLAMA_POOLING_TYPE_LAST) {
    return declared;
  }
  // A decoder declares none: averaging its hidden states is the usual sentence vector.
  return LLAMA_POOLING_TYPE_MEAN;
}

void normaliseInPlace(std::vector<float>& v) {
  double sum = 0;
  for (const float x : v) sum += static_cast<double>(x) * x;
  if (sum <= 0) return;  // an all-zero vector stays zero: cosine 0 with everything
  const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& x : v) x *= scale;
}

llama_context_params embeddingContextParams(enum llama_pooling_type pooling,
                                            std::size_t max_batch_tokens,
                                            std::size_t max_batch_sequences, unsigned threads) {
  llama_context_params params = llama_context_default_params();
  params.embeddings = true;
  params.pooling_type = pooling;
  // One decode is one physical batch: encoders need every token of a sequence in the same
  // ubatch, and pooling is computed per ubatch.
  params.n_ctx = static_cast<uint32_t>(max_batch_tokens);
  params.n_batch = static_cast<uint32_t>(max_batch_tokens);
  params.n_ubatch = static_cast<uint32_t>(max_batch_tokens);
  params.n_seq_max = static_cast<uint32_t>(max_batch_sequences);
  params.kv_unified = true;  // decoders: the sequences of a call share one cache, cleared per call
  params.n_threads = static_cast<int32_t>(threads);
  params.n_threads_batch = static_cast<int32_t>(threads);
  params.no_perf = true;
  return params;
}

// A pool of `threads` workers for `context`, created paused (the batching thread resumes it while
// it has work); nullptr when ggml cannot create one. The caller owns it.
ggml_threadpool* attachPausedThreadpool(llama_context* context, unsigned threads) {
  ggml_threadpool_params pool_params = ggml_threadpool_params_default(static_cast<int>(threads));
  pool_params.paused = true;
  ggml_threadpool* pool = ggml_threadpool_new(&pool_params);
  if (pool != nullptr) llama_attach_threadpool(context, pool, pool);
  return pool;
}

}  // namespace

struct LlamaEmbedder::Engine {
  ModelHandle model;
  ContextHandle context;
  const llama_vocab* vocab = nullptr;  // read-only after load: callers tokenize concurrently
  llama_batch batch{};                 // reused for every call; batching thread only
  // Persistent workers: without them ggml starts and joins threads on every decode, which is a
  // large part of embedding one short query. Paused while the queue is empty so they do not poll.
  ggml_threadpool* threadpool = nullptr;

  ~Engine() {
    if (batch.token != nullptr) llama_batch_free(batch);
    if (threadpool != nullptr) {
      if (context) llama_detach_threadpool(context.get());
      context.reset();
      ggml_threadpool_free(threadpool);
    }
  }
};

// After submission only the batching thread touches a job; the caller waits on `done`.
struct LlamaEmbedder::Job {
  std::vector<std::vector<int>> tokens;
  std::vector<std::vector<float>> vectors;
  std::size_t remaining = 0;
  bool failed = false;  // `done` holds an exception; its other texts are skipped
  std::promise<std::vector<std::vector<float>>> done;
};

LlamaEmbedder::LlamaEmbedder(const LlamaEmbedderOptions& options)
    : engine_(std::make_unique<Engine>()) {
  engine_->model = loadModel(options.model_path);
  const llama_model* model = engine_->model.get();
  if (llama_model_has_encoder(model) && llama_model_has_decoder(model)) {
    throw ModelLoadError(
        options.model_path.filename().string() +
        " is an encoder-decoder model, which llama.cpp cannot embed with: use a BERT-family "
        "sentence-embedding GGUF such as all-MiniLM-L6-v2");
  }
  engine_->vocab = llama_model_get_vocab(model);
  const enum llama_pooling_type pooling = choosePooling(options.pooling, model, options.model_path);
  pooling_ = poolingName(pooling);
  dimension_ = static_cast<std::size_t>(std::max(0, llama_model_n_embd_out(model)));

  const auto trained = static_cast<std::size_t>(std::max(0, llama_model_n_ctx_train(model)));
  max_sequence_tokens_ = std::max<std::size_t>(1, options.max_sequence_tokens);
  if (trained > 0) max_sequence_tokens_ = std::min(max_sequence_tokens_, trained);
  max_batch_tokens_ = std::max(options.max_batch_tokens, max_sequence_tokens_);
  max_batch_sequences_ = std::clamp<std::size_t>(options.max_batch_sequences, 1, kMaxSequences);

  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const llama_context_params params =
      embeddingContextParams(pooling, max_batch_tokens_, max_batch_sequences_, threads);
  engine_->context.reset(llama_init_from_model(engine_->model.get(), params));
  if (!engine_->context) {
    throw ModelLoadError("llama.cpp could not create an embedding context for " +
                         options.model_path.string() + " (" + std::to_string(max_batch_tokens_) +
                         " tokens): check free memory");
  }
  if (threads > 1) engine_->threadpool = attachPausedThreadpool(engine_->context.get(), threads);
  if (dimension_ == 0) {
    throw ModelLoadError(options.model_path.string() + " reports no embedding dimension");
  }
  engine_->batch = llama_batch_init(static_cast<int32_t>(max_batch_tokens_), 0, 1);

  identity_ = fileIdentity(options.model_path) + ":" + pooling_ + ":" + std::to_string(dimension_) +
              ":ctx" + std::to_string(max_sequence_tokens_);
  log::info("embedder.loaded", {{"model", identity_},
                                {"dimension", dimension_},
                                {"pooling", pooling_},
                                {"context", max_sequence_tokens_},
                                {"batch_tokens", max_batch_tokens_},
                                {"threads", threads}});
  batcher_ = std::thread([this] { runBatches(); });
}

LlamaEmbedder::~LlamaEmbedder() {
  {
    const util::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (batcher_.joinable()) batcher_.join();
}

EmbedderStatus LlamaEmbedder::status() const {
  EmbedderStatus s;
  s.model = identity_;
  s.dimension = dimension_;
  s.pooling = pooling_;
  s.context = max_sequence_tokens_;
  s.truncated_texts = truncated_texts_.load(std::memory_order_relaxed);
  const util::MutexLock lock(mutex_);
  s.queue_depth = queue_.size();
  return s;
}

std::vector<int> LlamaEmbedder::tokenizeForEmbedding(const std::string& text) const {
  const llama_vocab* vocab = engine_->vocab;
  // User text is never parsed for special tokens: "[SEP]" typed by a user is just text.
  std::vector<int> tokens = tokenize(vocab, text, /*add_special=*/true, /*parse_special=*/false);
  if (tokens.size() > max_sequence_tokens_) {
    tokens.resize(max_sequence_tokens_);
    // Encoders were trained with their closing token ([SEP], </s>) last; keep it there.
    if (llama_vocab_get_add_sep(vocab)) {
      tokens.back() = llama_vocab_sep(vocab);
    } else if (llama_vocab_get_add_eos(vocab)) {
      tokens.back() = llama_vocab_eos(vocab);
    }
    truncated_texts_.fetch_add(1, std::memory_order_relaxed);
  }
  if (tokens.empty()) {
    // Only a model that adds no special tokens gets here, for an empty text.
    const llama_token eos = llama_vocab_eos(vocab);
    if (eos == LLAMA_TOKEN_NULL) {
      throw std::runtime_error("cannot embed an empty text with this model");
    }
    tokens.push_back(eos);
  }
  return tokens;
}

std::vector<std::vector<float>> LlamaEmbedder::embed(std::span<const std::string> texts) const {
  if (texts.empty()) return {};
  auto job = std::make_shared<Job>();
  job->tokens.reserve(texts.size());
  for (const auto& text : texts) job->tokens.push_back(tokenizeForEmbedding(text));
  job->vectors.resize(texts.size());
  job->remaining = texts.size();
  auto result = job->done.get_future();
  {
    const util::MutexLock lock(mutex_);
    if (stopping_) throw std::runtime_error("the embedder is shutting down");
    for (std::size_t i = 0; i < texts.size(); ++i) queue_.push_back({job, i});
  }
  wake_.notify_one();
  return result.get();
}

void LlamaEmbedder::runBatches() {
  std::vector<Pending> batch;
  batch.reserve(max_batch_sequences_);
  for (;;) {
    {
      util::UniqueMutexLock lock(mutex_);
      if (queue_.empty() && !stopping_) {
        if (engine_->threadpool != nullptr) ggml_threadpool_pause(engine_->threadpool);
        wake_.wait(lock.native(), [&]() REQUIRES(mutex_) { return stopping_ || !queue_.empty(); });
        if (engine_->threadpool != nullptr) ggml_threadpool_resume(engine_->threadpool);
      }
      if (queue_.empty()) return;  // stopping, and everything queued is done
      // FIFO packing: every text fits alone (max_sequence_tokens <= max_batch_tokens).
      std::size_t tokens = 0;
      while (!queue_.empty() && batch.size() < max_batch_sequences_) {
        const Pending& next = queue_.front();
        const std::size_t n = next.job->tokens[next.text].size();
        if (!batch.empty() && tokens + n > max_batch_tokens_) break;
        tokens += n;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    try {
      decode(batch);
    } catch (const std::exception& e) {
      for (auto& p : batch) {
        if (p.job->failed || p.job->remaining == 0) continue;
        p.job->failed = true;
        p.job->done.set_exception(std::make_exception_ptr(
            std::runtime_error(std::string("embedding failed: ") + e.what())));
      }
    }
    batch.clear();
  }
}

void LlamaEmbedder::decode(std::vector<Pending>& batch) {
  std::erase_if(batch, [](const Pending& p) { return p.job->failed; });
  if (batch.empty()) return;
  llama_context* context = engine_->context.get();
  llama_batch& b = engine_->batch;
  b.n_tokens = 0;
  for (std::size_t seq = 0; seq < batch.size(); ++seq) {
    const auto& tokens = batch[seq].job->tokens[batch[seq].text];
    for (std::size_t pos = 0; pos < tokens.size(); ++pos) {
      const auto i = static_cast<std::size_t>(b.n_tokens++);
      b.token[i] = tokens[pos];
      b.pos[i] = static_cast<llama_pos>(pos);
      b.n_seq_id[i] = 1;
      b.seq_id[i][0] = static_cast<llama_seq_id>(seq);
      b.logits[i] = 1;  // pooling reads every token's output
    }
  }
  // Each call is independent: nothing of the previous batch may stay in a decoder's cache.
  llama_memory_clear(llama_get_memory(context), true);
  const int rc = llama_decode(context, b);  // calls llama_encode for encoder-only models
  for (std::size_t seq = 0; seq < batch.size(); ++seq) {
    Job& job = *batch[seq].job;
    if (job.failed) continue;  // another of its texts failed earlier in this batch
    const float* pooled =
        rc == 0 ? llama_get_embeddings_seq(context, static_cast<llama_seq_id>(seq)) : nullptr;
    if (pooled == nullptr) {
      job.failed = true;
      job.done.set_exception(std::make_exception_ptr(
          std::runtime_error("embedding failed: llama_decode returned " + std::to_string(rc))));
      continue;
    }
    auto& vector = job.vectors[batch[seq].text];
    vector.assign(pooled, pooled + dimension_);
    normaliseInPlace(vector);
    if (--job.remaining == 0) job.done.set_value(std::move(job.vectors));
  }
}

}  // namespace chatbot::llm
