#pragma once
// The llama.cpp generation engine: one scheduler thread owns the llama context and runs every
// active request in one decode loop (continuous batching). Each step puts the next token of every
// generating sequence and prompt chunks of the sequences still reading their prompt into a single
// llama_decode, so N concurrent answers cost little more than one.
//
// KV reuse:
//  - the shared prompt prefix (template preamble + system instructions) is evaluated once at start
//    into sequence 0; every request begins with a copy of it (cells are shared, not duplicated);
//  - with SourceCache::kParallel, each source block (an article, as rendered for the prompt) is
//    evaluated once into its own cache sequence, positioned right after the prefix, and reused by
//    every request that cites it: the request's sequence gets the prefix and all its source blocks
//    at overlapping positions (parallel context windows), then reads its question at the position
//    after the longest block. A source therefore attends to the instructions and itself, not to the
//    other sources; the question and the answer attend to everything. See docs/BENCHMARKS.md for
//    the measured effect on the generated text. SourceCache::kOff evaluates the whole prompt per
//    request (exact attention).
//
// Thread-safety: submit() and status() may be called from any thread. Observers are called on the
// scheduler thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "llm/chat_format.h"
#include "llm/llama_model.h"
#include "util/mutex.h"

struct ggml_threadpool;

namespace chatbot::llm {

enum class SourceCache { kOff, kParallel };

struct EngineOptions {
  std::filesystem::path model_path;
  std::string chat_template = "auto";
  std::string system_prompt;
  // Plain text that opens every user turn (e.g. "Sources:"); part of the shared prefix.
  std::string user_preamble;
  std::size_t slots = 4;            // sequences generated in parallel
  std::size_t context = 2048;       // positions per sequence (prompt + answer)
  std::size_t batch = 512;          // tokens per llama_decode
  unsigned threads = 0;             // 0: hardware concurrency
  std::size_t queue_capacity = 16;  // requests waiting for a slot
  SourceCache source_cache = SourceCache::kParallel;
  std::size_t source_cache_tokens = 4096;  // KV cells kept for cached source blocks (LRU)
  std::string kv_type = "q8_0";            // KV-cache element type: f16 or q8_0
  bool map_file = false;                   // mmap the model instead of reading it (see loadModel)
};

struct Sampling {
  double temperature = 0.2;  // 0: greedy
  double top_p = 0.95;
  std::uint32_t seed = 0;  // 0: random
};

// A piece of the prompt after the shared prefix. `key` identifies its text for the source cache
// (empty: never cached).
struct PromptBlock {
  std::string key;
  std::vector<int> tokens;
};

enum class FinishReason { kStop, kLength, kCancelled, kTimedOut, kQueueFull, kError };

struct EngineResult {
  FinishReason reason = FinishReason::kStop;
  std::string text;
  std::size_t tokens = 0;         // generated
  std::size_t prompt_tokens = 0;  // prefix + blocks + tail
  std::size_t reused_tokens = 0;  // prompt tokens whose KV came from a cache
  double queue_ms = 0;            // waiting for a slot
  double first_token_ms = 0;      // from submit to the first generated token
  std::string error;
};

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void onText(std::string_view text) = 0;  // whole UTF-8 characters
  virtual void onFinish(EngineResult result) = 0;  // exactly once, last
  virtual bool cancelled() const { return false; }
};

struct EngineRequest {
  std::vector<PromptBlock> blocks;  // sources, after the shared prefix
  std::vector<int> tail;            // question + assistant header
  std::size_t max_tokens = 256;
  Sampling sampling;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<EngineObserver> observer;
  std::chrono::steady_clock::time_point submitted;  // set by submit()
};

struct EngineStatus {
  std::string model;
  std::string chat_template;
  std::size_t context = 0;
  std::size_t slots = 0;
  std::size_t slots_busy = 0;
  std::size_t queue_depth = 0;
  std::size_t queue_capacity = 0;
  std::size_t prefix_tokens = 0;
  std::size_t cached_sources = 0;
  std::uint64_t completed = 0;
};

class LlamaEngine {
 public:
  // Loads the model, evaluates the shared prefix and starts the scheduler. Throws ModelLoadError.
  explicit LlamaEngine(EngineOptions options);
  ~LlamaEngine();
  LlamaEngine(const LlamaEngine&) = delete;
  LlamaEngine& operator=(const LlamaEngine&) = delete;

  // Queues a request. When there is no room, the observer gets kQueueFull before this returns.
  void submit(EngineRequest request);

  // Tokenizes user-supplied text: special-token text is kept literal, never parsed.
  std::vector<int> tokenizeText(const std::string& text) const;
  // Tokenizes template text (which may contain special tokens). Only the start of a prompt gets
  // the model's BOS token: a template piece in the middle (the assistant header) must not.
  std::vector<int> tokenizeTemplate(const std::string& text, bool prompt_start = false) const;

  const ChatFormat& format() const noexcept { return format_; }
  std::size_t prefixTokens() const noexcept { return prefix_tokens_.size(); }
  // The shared prefix's tokens.
  const std::vector<int>& prefix() const noexcept { return prefix_tokens_; }
  std::size_t contextPerSequence() const noexcept { return options_.context; }
  std::string modelName() const { return model_name_; }
  EngineStatus status() const;

 private:
  struct Slot;
  struct CacheEntry;
  // Construction (llama_engine.cpp).
  void attachThreadpool(unsigned threads);
  void tokenizePrefix();
  void createSequences(std::size_t cache_seqs);
  // The scheduler thread's loop (llama_engine_scheduler.cpp).
  void run() EXCLUDES(mutex_);
  void admit() EXCLUDES(mutex_);
  void start(Slot& slot, EngineRequest request);
  void step();
  void retireCancelledAndExpired();
  bool fillBatch();
  void failBatch(int code);
  void sampleAndEmit();
  void emitToken(Slot& slot, const llama_vocab* vocab, int token);
  void finish(Slot& slot, FinishReason reason, std::string error = {});
  // The KV cells of the shared prefix and of cached sources (llama_engine_kv.cpp).
  bool evaluatePrefix();
  CacheEntry* acquireEntry(const PromptBlock& block);
  void forgetEntry(CacheEntry& entry);
  void forgetUnfinishedEntries();
  void attachSources(Slot& slot);

  EngineOptions options_;
  ModelHandle model_;
  ContextHandle context_;
  ChatFormat format_;
  std::string model_name_;
  std::vector<int> prefix_tokens_;

  mutable util::Mutex mutex_;
  std::condition_variable wake_;
  std::deque<EngineRequest> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::atomic<std::size_t> busy_{0};
  std::atomic<std::size_t> cached_{0};
  std::atomic<std::uint64_t> completed_{0};
  ::ggml_threadpool* threadpool_ = nullptr;  // owned; outlives context_ (freed after it)
  bool broken_ = false;  // scheduler thread only: the prefix could not be evaluated

  // Scheduler-thread state.
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::unique_ptr<CacheEntry>> cache_;
  std::uint64_t clock_ = 0;  // LRU ticks
  struct BatchDeleter {
    void operator()(void* batch) const noexcept;
  };
  std::unique_ptr<void, BatchDeleter> batch_;  // a llama_batch of options_.batch tokens
  std::thread thread_;
};

}  // namespace chatbot::llm
