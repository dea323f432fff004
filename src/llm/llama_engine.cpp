#include "llm/llama_engine.h"

#include <ggml-cpu.h>
#include <llama.h>

#include <algorithm>

#include "llm/llama_engine_state.h"
#include "observability/log.h"
#include "util/time.h"

// LlamaEngine's construction and public interface; the scheduler thread's work is in
// llama_engine_scheduler.cpp and llama_engine_kv.cpp.
namespace chatbot::llm {

namespace {

using engine_detail::Clock;
constexpr std::size_t kMaxCacheEntries = 96;

// One unified KV cache for `slots` sequences of `context` positions each, plus `cache_tokens`
// cells of cached sources in `cache_seqs` sequences of their own.
llama_context_params contextParams(const EngineOptions& options, std::size_t cache_tokens,
                                   std::size_t cache_seqs, unsigned threads) {
  llama_context_params params = llama_context_default_params();
  params.n_ctx = static_cast<uint32_t>(options.slots * options.context + cache_tokens);
  params.n_batch = static_cast<uint32_t>(options.batch);
  params.n_ubatch = static_cast<uint32_t>(options.batch);
  params.n_seq_max = static_cast<uint32_t>(1 + options.slots + cache_seqs);
  params.n_threads = static_cast<int32_t>(threads);
  params.n_threads_batch = static_cast<int32_t>(threads);
  params.kv_unified = true;  // sequences share the prefix's and the sources' cells
  if (options.kv_type == "q8_0") {
    // Half the memory of f16 (the cache is allocated and cleared in full, so it counts in RSS).
    params.type_k = GGML_TYPE_Q8_0;
    params.type_v = GGML_TYPE_Q8_0;
    params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;  // a quantized V cache needs it
  }
  params.no_perf = true;
  return params;
}

// The context for `params`, or for an f16 KV cache when the model cannot have a quantized one.
// Throws ModelLoadError.
ContextHandle createContext(llama_model* model, llama_context_params params,
                            const std::string& model_name) {
  ContextHandle context(llama_init_from_model(model, params));
  if (!context && params.type_k != GGML_TYPE_F16) {
    // Quantized KV blocks span 32 values; models with smaller heads (tiny test models) need f16.
    log::warn("llm.kv_type_fallback",
              {{"model", model_name},
               {"kv_type", "f16"},
               {"detail", "the model's head size does not allow a q8_0 KV cache"}});
    params.type_k = GGML_TYPE_F16;
    params.type_v = GGML_TYPE_F16;
    params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    context.reset(llama_init_from_model(model, params));
  }
  if (!context) {
    throw ModelLoadError("llama.cpp could not create a context of " + std::to_string(params.n_ctx) +
                         " tokens for " + model_name + "; lower LLM_CONTEXT or LLM_SLOTS");
  }
  return context;
}

}  // namespace

LlamaEngine::LlamaEngine(EngineOptions options) : options_(std::move(options)) {
  const auto started = Clock::now();
  model_ = loadModel(options_.model_path, options_.map_file);
  model_name_ = options_.model_path.filename().string();
  const auto n_ctx_train =
      static_cast<std::size_t>(std::max(0, llama_model_n_ctx_train(model_.get())));
  if (n_ctx_train > 0 && options_.context > n_ctx_train) options_.context = n_ctx_train;
  options_.slots = std::max<std::size_t>(1, options_.slots);
  const std::size_t cache_tokens =
      options_.source_cache == SourceCache::kParallel ? options_.source_cache_tokens : 0;
  const std::size_t cache_seqs = options_.source_cache == SourceCache::kParallel
                                     ? std::min(kMaxCacheEntries, 255 - options_.slots)
                                     : 0;
  const unsigned threads =
      options_.threads != 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  context_ = createContext(model_.get(), contextParams(options_, cache_tokens, cache_seqs, threads),
                           model_name_);
  attachThreadpool(threads);
  format_ = makeChatFormat(model_.get(), options_.chat_template, options_.system_prompt);
  tokenizePrefix();
  createSequences(cache_seqs);
  log::info("llm.ready", {{"model", model_name_},
                          {"template", format_.template_name},
                          {"slots", options_.slots},
                          {"context", options_.context},
                          {"prefix_tokens", prefix_tokens_.size()},
                          {"source_cache", cache_seqs > 0 ? "parallel" : "off"},
                          {"threads", threads},
                          {"ms", util::millisSince(started)}});
  batch_.reset(new llama_batch(llama_batch_init(static_cast<int32_t>(options_.batch), 0, 1)));
  thread_ = std::thread([this] { run(); });
}

// A persistent pool: without one ggml starts and joins its worker threads on every decode. It is
// paused while the engine is idle so that its workers do not poll for work.
void LlamaEngine::attachThreadpool(unsigned threads) {
  if (threads <= 1) return;
  ggml_threadpool_params pool_params = ggml_threadpool_params_default(static_cast<int>(threads));
  threadpool_ = ggml_threadpool_new(&pool_params);
  if (threadpool_ != nullptr) llama_attach_threadpool(context_.get(), threadpool_, threadpool_);
}

// The shared prefix: the template's preamble and system prompt, then the user preamble.
void LlamaEngine::tokenizePrefix() {
  prefix_tokens_ = tokenizeTemplate(format_.prefix, /*prompt_start=*/true);
  if (!options_.user_preamble.empty()) {
    const auto preamble = tokenizeText(options_.user_preamble);
    prefix_tokens_.insert(prefix_tokens_.end(), preamble.begin(), preamble.end());
  }
}

// Sequence ids: 0 the prefix, then one per slot, then one per source-cache entry.
void LlamaEngine::createSequences(std::size_t cache_seqs) {
  for (std::size_t i = 0; i < options_.slots; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->seq = static_cast<llama_seq_id>(1 + i);
    slots_.push_back(std::move(slot));
  }
  for (std::size_t i = 0; i < cache_seqs; ++i) {
    auto entry = std::make_unique<CacheEntry>();
    entry->seq = static_cast<llama_seq_id>(1 + options_.slots + i);
    cache_.push_back(std::move(entry));
  }
}

void LlamaEngine::BatchDeleter::operator()(void* batch) const noexcept {
  auto* b = static_cast<llama_batch*>(batch);
  llama_batch_free(*b);
  delete b;
}

LlamaEngine::~LlamaEngine() {
  {
    const util::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (threadpool_ != nullptr) {
    llama_detach_threadpool(context_.get());
    context_.reset();
    ggml_threadpool_free(threadpool_);
  }
}

std::vector<int> LlamaEngine::tokenizeText(const std::string& text) const {
  return tokenize(llama_model_get_vocab(model_.get()), text, false, false);
}

std::vector<int> LlamaEngine::tokenizeTemplate(const std::string& text, bool prompt_start) const {
  return tokenize(llama_model_get_vocab(model_.get()), text, prompt_start, true);
}

EngineStatus LlamaEngine::status() const {
  EngineStatus s;
  s.model = model_name_;
  s.chat_template = format_.template_name;
  s.context = options_.context;
  s.slots = options_.slots;
  s.slots_busy = busy_.load();
  {
    const util::MutexLock lock(mutex_);
    s.queue_depth = queue_.size();
  }
  s.queue_capacity = options_.queue_capacity;
  s.prefix_tokens = prefix_tokens_.size();
  s.cached_sources = cached_.load();
  s.completed = completed_.load();
  return s;
}

void LlamaEngine::submit(EngineRequest request) {
  {
    const util::MutexLock lock(mutex_);
    // Room = free slots + queue capacity; the scheduler moves queued requests into slots.
    if (!stopping_ && queue_.size() < options_.queue_capacity + (options_.slots - busy_.load())) {
      request.submitted = Clock::now();
      queue_.push_back(std::move(request));
      wake_.notify_one();
      return;
    }
  }
  EngineResult result;
  result.reason = FinishReason::kQueueFull;
  request.observer->onFinish(std::move(result));
}

}  // namespace chatbot::llm
