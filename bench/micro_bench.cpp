// Per-stage cost of a chat request on the bundled KB (Google Benchmark).
//   build/bench/micro_bench            (run from the repository root)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "../tests/bert_test_model.h"
#include "auth/rate_limiter.h"
#include "ingest/knowledge_index.h"
#include "llm/llama_embedder.h"
#include "rag/chat_service.h"
#include "rag/extractive_generator.h"

namespace {

using namespace chatbot;

const std::vector<std::string> kQueries = {"How do I reset my password on my MacBook Air?",
                                           "VPN won't connect from the hotel",
                                           "printer is offline",
                                           "Outlook is not syncing my email",
                                           "my microphone doesn't work in Teams",
                                           "I clicked a phishing link",
                                           "wifi keeps dropping",
                                           "how do I map a network drive"};

std::shared_ptr<const rag::ChatService> service() {
  static const auto instance = [] {
    ingest::IndexOptions o;
    o.kb_path = std::string(CHATBOT_SOURCE_DIR) + "/data/kb";
    o.data_dir = std::filesystem::temp_directory_path() / "chatbot-micro-bench";
    o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
    return std::make_shared<rag::ChatService>(
        ingest::KnowledgeIndex::open(o),
        std::make_shared<rag::ExtractiveGenerator>("the IT Service Desk"),
        std::make_shared<security::CredentialFilter>(), 0.35);
  }();
  return instance;
}

void BM_RedactClean(benchmark::State& state) {
  const security::CredentialFilter filter;
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(filter.redact(kQueries[i++ % kQueries.size()]));
}
BENCHMARK(BM_RedactClean);

void BM_RedactWithSecret(benchmark::State& state) {
  const security::CredentialFilter filter;
  for (auto _ : state)
    benchmark::DoNotOptimize(filter.redact("my vpn password is Hunter22! and it fails"));
}
BENCHMARK(BM_RedactWithSecret);

void BM_Retrieve(benchmark::State& state) {
  const auto svc = service();
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(svc->index().retriever().search(kQueries[i++ % kQueries.size()], 4));
}
BENCHMARK(BM_Retrieve);

void BM_ChatAnswer(benchmark::State& state) {
  const auto svc = service();
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(svc->answer({kQueries[i++ % kQueries.size()], 4, 150}));
}
BENCHMARK(BM_ChatAnswer);

// The embedder: CHATBOT_BENCH_EMBEDDING_MODEL names a GGUF; by default a model of the
// all-MiniLM-L6-v2 shape (random weights, real WordPiece vocabulary) is written to a temporary
// file: speed does not depend on the weight values. LLM_THREADS sets the threads.
std::shared_ptr<const llm::LlamaEmbedder> embedder() {
  static const auto instance = [] {
    const char* env = std::getenv("CHATBOT_BENCH_EMBEDDING_MODEL");
    llm::LlamaEmbedderOptions o;
    if (env != nullptr && *env != '\0') {
      o.model_path = env;
    } else {
      o.model_path = std::filesystem::temp_directory_path() / "chatbot-bench-minilm-shape.gguf";
      chatbot::testing::writeBertTestModel(
          std::filesystem::path(CHATBOT_SOURCE_DIR) /
              "../shared/models/all-MiniLM-L6-v2-tokenizer/vocab.txt",
          o.model_path, chatbot::testing::miniLmShape());
    }
    if (const char* threads = std::getenv("LLM_THREADS"); threads != nullptr)
      o.threads = std::stoul(threads);
    return std::make_shared<const llm::LlamaEmbedder>(o);
  }();
  return instance;
}

void BM_EmbedOneQuery(benchmark::State& state) {
  const auto e = embedder();
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(e->embed(std::span(&kQueries[i++ % kQueries.size()], 1)));
}
BENCHMARK(BM_EmbedOneQuery)->Unit(benchmark::kMillisecond);

// Texts per second when many callers embed at once: their texts share model calls.
void BM_EmbedConcurrentQueries(benchmark::State& state) {
  const auto e = embedder();
  for (auto _ : state) {
    std::vector<std::thread> callers;
    for (int t = 0; t < 32; ++t) {
      callers.emplace_back([&, t] {
        benchmark::DoNotOptimize(e->embed(std::span(&kQueries[t % kQueries.size()], 1)));
      });
    }
    for (auto& c : callers) c.join();
  }
  state.SetItemsProcessed(state.iterations() * 32);
}
BENCHMARK(BM_EmbedConcurrentQueries)->Unit(benchmark::kMillisecond)->UseRealTime();

// auth::RateLimiter::take as the HTTP middleware calls it: the clock read included. One key (a
// caller hammering), a working set of 10000 keys spread over the shards, and a new key on every
// call (an attacker rotating keys, at the memory bound: sweeps and evictions included). Threads
// share one limiter, as HTTP threads do.

// 2^20 distinct keys, made once.
const std::vector<std::string>& rateLimitKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < (1U << 20); ++i) out.push_back("ip:10." + std::to_string(i));
    return out;
  }();
  return keys;
}

void BM_RateLimiterTakeOneKey(benchmark::State& state) {
  static auth::RateLimiter limiter({"chat", 30, std::chrono::seconds(60)});
  for (auto _ : state)
    benchmark::DoNotOptimize(limiter.take("key:alice", 1.0, std::chrono::steady_clock::now()));
}
BENCHMARK(BM_RateLimiterTakeOneKey)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void BM_RateLimiterTakeManyKeys(benchmark::State& state) {
  static auth::RateLimiter limiter({"chat", 30, std::chrono::seconds(60)});
  const auto& keys = rateLimitKeys();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        limiter.take(keys[i++ % 10000], 1.0, std::chrono::steady_clock::now()));
  }
}
BENCHMARK(BM_RateLimiterTakeManyKeys)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void BM_RateLimiterTakeRotatingKeys(benchmark::State& state) {
  static auth::RateLimiter limiter({"chat", 30, std::chrono::seconds(60)}, 100000);
  const auto& keys = rateLimitKeys();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) << 18;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        limiter.take(keys[i++ % keys.size()], 1.0, std::chrono::steady_clock::now()));
  }
  if (state.thread_index() == 0) state.counters["tracked_keys"] = limiter.trackedKeys();
}
BENCHMARK(BM_RateLimiterTakeRotatingKeys)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
