// Speed and memory of our llama.cpp engine (LlamaEngine behind rag::LlmGenerator) on one model:
//
//   build/bench/llm_bench --model M.gguf [--threads 2] [--tokens 128] [--repeats 3] [--streams 4]
//                         [--only load,decode,concurrent,ttft,agreement,embed] [--agreement 12]
//                         [--agreement-tokens 48] [--embed-model MINILM.gguf] [--dump-dir DIR]
//                         [--embed-queries QUERIES.jsonl]
//
// Every number is printed as one line "result <key> <value>" (bench/llm_compare.sh reads them);
// notes go to stderr. With --dump-dir, the exact requests are also written as llama-server request
// bodies (token ids, so both servers read identical prompts).
//
// What is measured, and why this way:
//  - load: process RSS (VmRSS) and the time to construct the generator (model load + evaluation of
//    the shared system prompt), in a fresh process, before anything else ran.
//  - decode: one request, no sources, greedy, --tokens answer tokens. Generation-only tokens/s is
//    (tokens - 1) / (done - first token), so the prompt is excluded as in llama-bench's tg test.
//    Median of --repeats. The synthetic models' random weights almost never pick end-of-text; a
//    run that stops early is reported (decode_tokens) rather than hidden.
//  - concurrent: --streams requests submitted together; aggregate tokens/s = all tokens / wall
//    time from submission to the last answer. The single-stream figure it is compared with is
//    measured the same way (wall time, prompt included), from the decode runs.
//  - ttft: a RAG prompt with 3 real KB articles cut to about --source-tokens model tokens in all,
//    through LlmGenerator (so the source cache is used exactly as in serving). Cold: articles never
//    seen before; warm: the same articles, another question. SourceCache::kParallel, then a fresh
//    generator with kOff. Time from generateAsync() to the first streamed text; the answer is then
//    cancelled. Medians over --repeats different article sets.
//  - agreement: the effect of the source cache on the text. For --agreement article sets, greedy
//    answers with kParallel and with kOff; per pair: exact match, tokens in common before the first
//    difference, and position-wise token agreement. On synthetic weights the text is noise, so
//    this only shows how often the two attention layouts pick the same argmax; run it on a model
//    with real weights (stories260K) to see a real model's sensitivity (see docs/BENCHMARKS.md).
//  - embed: see embedBench() below; with --embed-queries, also every real user question embedded
//    alone (embedQueriesBench()).
#include <llama.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kb/loader.h"
#include "llm/llama_model.h"
#include "observability/log.h"
#include "rag/llm_generator.h"

#if __has_include("llm/llama_embedder.h")
#include "llm/llama_embedder.h"
#define CHATBOT_HAVE_EMBEDDER 1
#endif

namespace {

using namespace chatbot;
using Clock = std::chrono::steady_clock;

struct Args {
  std::filesystem::path model;
  std::filesystem::path embed_model;
  std::filesystem::path kb = std::filesystem::path(CHATBOT_SOURCE_DIR) / "data/kb";
  std::filesystem::path dump_dir;
  std::filesystem::path embed_queries;  // JSON lines with a "query" field, or plain lines
  unsigned threads = 2;
  std::size_t tokens = 128;
  std::size_t repeats = 3;
  std::size_t streams = 4;
  std::size_t source_tokens = 450;
  std::size_t agreement = 12;
  std::size_t agreement_tokens = 48;
  std::set<std::string> only;
  bool wants(const std::string& what) const { return only.empty() || only.count(what) > 0; }
};

void result(const std::string& key, double value) {
  std::printf("result %s %.6g\n", key.c_str(), value);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double ms(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// A field of /proc/self/status in MiB (VmRSS, VmHWM, RssAnon, RssFile).
double procStatusMiB(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

// Records the times of one generation; optionally cancels it after the first text.
class Timing final : public rag::GenerationObserver {
 public:
  explicit Timing(bool stop_after_first) : stop_after_first_(stop_after_first) {}
  void onDelta(std::string_view) override {
    if (!got_first_) first = Clock::now();
    got_first_ = true;
  }
  void onDone(rag::Generation g) override {
    done = Clock::now();
    if (!got_first_) first = done;
    promise.set_value(std::move(g));
  }
  bool cancelled() const override { return stop_after_first_ && got_first_; }
  Clock::time_point submitted = Clock::now();
  Clock::time_point first;
  Clock::time_point done;
  std::promise<rag::Generation> promise;

 private:
  bool stop_after_first_;
  std::atomic<bool> got_first_{false};
};

struct Run {
  rag::Generation generation;
  double ttft_ms = 0;
  double total_ms = 0;
  double gen_tps = 0;   // (tokens - 1) / (done - first token)
  double wall_tps = 0;  // tokens / (done - submitted)
};

Run generate(const rag::LlmGenerator& gen, rag::GenerationRequest request,
             bool stop_after_first = false) {
  auto t = std::make_shared<Timing>(stop_after_first);
  auto future = t->promise.get_future();
  t->submitted = Clock::now();
  gen.generateAsync(std::move(request), t);
  Run r;
  r.generation = future.get();
  r.ttft_ms = ms(t->submitted, t->first);
  r.total_ms = ms(t->submitted, t->done);
  const double tokens = static_cast<double>(r.generation.tokens);
  if (tokens > 1 && t->done > t->first) r.gen_tps = (tokens - 1) / (ms(t->first, t->done) / 1000.0);
  if (r.total_ms > 0) r.wall_tps = tokens / (r.total_ms / 1000.0);
  return r;
}

std::unique_ptr<rag::LlmGenerator> makeGenerator(const Args& a, llm::SourceCache cache) {
  rag::LlmGeneratorOptions o;  // the serving defaults (config.h), but 2 threads and greedy
  o.engine.model_path = a.model;
  o.engine.threads = a.threads;
  o.engine.slots = std::max<std::size_t>(4, a.streams);
  o.engine.source_cache = cache;
  o.support_contact = "the IT Service Desk";
  o.temperature = 0;
  o.timeout = std::chrono::minutes(10);
  return std::make_unique<rag::LlmGenerator>(o);
}

// One RAG case: three articles (cut to a token budget) and two questions about the first.
struct Case {
  std::vector<const kb::Article*> articles;
  std::string question;
  std::string other_question;
};

// The model's tokenizer alone (a vocab-only load: no weights are read).
struct Vocab {
  explicit Vocab(const std::filesystem::path& path) {
    llama_model_params p = llama_model_default_params();
    p.vocab_only = true;
    llm::ensureBackend();
    model.reset(llama_model_load_from_file(path.string().c_str(), p));
    if (!model) throw std::runtime_error("cannot read the vocab of " + path.string());
  }
  std::vector<int> tokens(const std::string& text, bool add_special = false) const {
    return llm::tokenize(llama_model_get_vocab(model.get()), text, add_special, false);
  }
  llm::ModelHandle model;
};

// Articles with their bodies cut at a line boundary so that "[n] subject\nbody" is about `budget`
// tokens of the model's own tokenizer.
std::vector<kb::Article> trimmedArticles(const Args& a, std::size_t budget) {
  auto loaded = kb::loadKnowledgeBase(a.kb);
  const Vocab vocab(a.model);
  std::vector<kb::Article> out;
  for (auto& article : loaded.articles) {
    if (article.questions.size() < 2) continue;
    std::istringstream lines(article.body);
    std::string line;
    std::string body;
    while (std::getline(lines, line)) {
      const std::string next = body.empty() ? line : body + "\n" + line;
      if (vocab.tokens("[1] " + article.subject + "\n" + next).size() > budget) break;
      body = next;
    }
    article.body = body;
    out.push_back(std::move(article));
  }
  // A fixed shuffle, so consecutive cases mix categories yet every run uses the same ones.
  std::shuffle(out.begin(), out.end(), std::mt19937(7));
  return out;
}

std::vector<Case> makeCases(const std::vector<kb::Article>& articles, std::size_t n) {
  std::vector<Case> cases;
  for (std::size_t i = 0; i + 3 <= articles.size() && cases.size() < n; i += 3) {
    cases.push_back({{&articles[i], &articles[i + 1], &articles[i + 2]},
                     articles[i].questions[0],
                     articles[i].questions[1]});
  }
  return cases;
}

rag::GenerationRequest ragRequest(const Case& c, const std::string& question,
                                  std::size_t max_tokens) {
  rag::GenerationRequest r;
  r.query = question;
  for (const auto* article : c.articles) r.sources.push_back({article, 1.0});
  r.max_tokens = max_tokens;
  r.temperature = 0;
  return r;
}

rag::GenerationRequest plainRequest(const std::string& question, std::size_t max_tokens) {
  rag::GenerationRequest r;
  r.query = question;
  r.max_tokens = max_tokens;
  r.temperature = 0;
  return r;
}

const std::vector<std::string> kDecodeQuestions = {"How do I reset my password on my MacBook Air?",
                                                   "VPN won't connect from the hotel",
                                                   "printer is offline",
                                                   "Outlook is not syncing my email",
                                                   "my microphone doesn't work in Teams",
                                                   "wifi keeps dropping",
                                                   "how do I map a network drive",
                                                   "I clicked a phishing link"};

// Writes a llama-server /completion request body.
void dumpCompletion(const Args& a, const std::string& name, const std::vector<int>& prompt,
                    std::size_t n_predict, bool cache_prompt) {
  if (a.dump_dir.empty()) return;
  nlohmann::json body = {{"prompt", prompt},   {"n_predict", n_predict},       {"temperature", 0},
                         {"ignore_eos", true}, {"cache_prompt", cache_prompt}, {"stream", false}};
  if (cache_prompt)
    body["id_slot"] = 0;  // the same slot each time, so its prefix reuse is deterministic
  std::ofstream(a.dump_dir / (name + ".json")) << body.dump();
}

void decodeBench(const Args& a, const rag::LlmGenerator& gen) {
  std::vector<double> gen_tps, wall_tps, tokens;
  for (std::size_t r = 0; r < a.repeats + 1; ++r) {
    const Run run = generate(gen, plainRequest(kDecodeQuestions[0], a.tokens));
    if (r == 0) continue;  // warm-up: first-touch page faults of the mapped weights
    gen_tps.push_back(run.gen_tps);
    wall_tps.push_back(run.wall_tps);
    tokens.push_back(static_cast<double>(run.generation.tokens));
  }
  result("decode_tps", median(gen_tps));
  result("decode_wall_tps", median(wall_tps));
  result("decode_tokens", median(tokens));
  dumpCompletion(a, "decode", gen.promptTokens(plainRequest(kDecodeQuestions[0], a.tokens)),
                 a.tokens, false);
}

void concurrentBench(const Args& a, const rag::LlmGenerator& gen) {
  std::vector<double> aggregate;
  double tokens_total = 0;
  for (std::size_t r = 0; r < a.repeats; ++r) {
    std::vector<std::future<Run>> runs;
    const auto start = Clock::now();
    for (std::size_t s = 0; s < a.streams; ++s) {
      const auto request =
          plainRequest(kDecodeQuestions[(s + 1) % kDecodeQuestions.size()], a.tokens);
      runs.push_back(
          std::async(std::launch::async, [&gen, request] { return generate(gen, request); }));
    }
    double tokens = 0;
    for (auto& f : runs) tokens += static_cast<double>(f.get().generation.tokens);
    aggregate.push_back(tokens / (ms(start, Clock::now()) / 1000.0));
    tokens_total = tokens;
  }
  result("concurrent_streams", static_cast<double>(a.streams));
  result("concurrent_tps", median(aggregate));
  result("concurrent_tokens", tokens_total);
  for (std::size_t s = 0; s < a.streams; ++s) {
    const auto request =
        plainRequest(kDecodeQuestions[(s + 1) % kDecodeQuestions.size()], a.tokens);
    dumpCompletion(a, "concurrent_" + std::to_string(s), gen.promptTokens(request), a.tokens,
                   false);
  }
}

// TTFT with one generator; `cases` must be new to it, so that the first request of each is cold.
void ttftBench(const Args& a, const rag::LlmGenerator& gen, const std::vector<Case>& cases,
               const std::string& label, bool dump) {
  constexpr std::size_t kMaxTokens =
      150;  // the serving default; the answer is cancelled after its first text
  std::vector<double> cold, warm, prompt_tokens;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto cold_request = ragRequest(cases[i], cases[i].question, kMaxTokens);
    const auto warm_request = ragRequest(cases[i], cases[i].other_question, kMaxTokens);
    const Run c = generate(gen, cold_request, true);
    const Run w = generate(gen, warm_request, true);
    cold.push_back(c.ttft_ms);
    warm.push_back(w.ttft_ms);
    prompt_tokens.push_back(static_cast<double>(c.generation.prompt_tokens));
    if (dump) {
      const std::string n = std::to_string(i);
      dumpCompletion(a, "ttft_cold_" + n, gen.promptTokens(cold_request), 1, false);
      dumpCompletion(a, "ttft_prime_" + n, gen.promptTokens(cold_request), 1, true);
      dumpCompletion(a, "ttft_warm_" + n, gen.promptTokens(warm_request), 1, true);
    }
  }
  result("ttft_" + label + "_cold_ms", median(cold));
  result("ttft_" + label + "_warm_ms", median(warm));
  result("ttft_prompt_tokens", median(prompt_tokens));
}

void agreementBench(const Args& a, const std::vector<Case>& cases) {
  const auto parallel = makeGenerator(a, llm::SourceCache::kParallel);
  const auto off = makeGenerator(a, llm::SourceCache::kOff);
  const Vocab vocab(a.model);  // answers are compared as token sequences
  double exact = 0, prefix_share = 0, position_share = 0, prefix_tokens = 0;
  for (const auto& c : cases) {
    const auto request = ragRequest(c, c.question, a.agreement_tokens);
    const auto x = vocab.tokens(generate(*parallel, request).generation.text);
    const auto y = vocab.tokens(generate(*off, request).generation.text);
    const std::size_t longest = std::max<std::size_t>(1, std::max(x.size(), y.size()));
    std::size_t common = 0;
    while (common < std::min(x.size(), y.size()) && x[common] == y[common]) ++common;
    std::size_t same = 0;
    for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) same += x[i] == y[i] ? 1 : 0;
    exact += x == y ? 1 : 0;
    prefix_tokens += static_cast<double>(common);
    prefix_share += static_cast<double>(common) / static_cast<double>(longest);
    position_share += static_cast<double>(same) / static_cast<double>(longest);
  }
  const auto n = static_cast<double>(std::max<std::size_t>(1, cases.size()));
  result("agreement_cases", static_cast<double>(cases.size()));
  result("agreement_exact_rate", exact / n);
  result("agreement_common_prefix_tokens", prefix_tokens / n);
  result("agreement_common_prefix_share", prefix_share / n);
  result("agreement_position_share", position_share / n);
}

// The sentences the embedding comparison uses (ours and llama-server's /v1/embeddings): the KB's
// alternative question phrasings, short user sentences as dense retrieval embeds them.
std::vector<std::string> embedSentences(const Args& a, std::size_t n) {
  std::vector<std::string> out;
  for (const auto& article : kb::loadKnowledgeBase(a.kb).articles) {
    for (const auto& q : article.questions) {
      if (out.size() < n) out.push_back(q);
    }
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

// User questions, one per line: JSON objects with a "query" field (the eval sets' format) or text.
std::vector<std::string> readQueries(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    out.push_back(
        parsed.is_object() && parsed.contains("query") ? parsed["query"].get<std::string>() : line);
  }
  return out;
}

#ifdef CHATBOT_HAVE_EMBEDDER
// Each real user question embedded alone, as a chat request does: latency and token-count
// percentiles, and the share embedded within the 5 ms target.
void embedQueriesBench(const Args& a, const llm::LlamaEmbedder& embedder, const Vocab& vocab) {
  const auto queries = readQueries(a.embed_queries);
  std::vector<double> latency;
  std::vector<double> tokens;
  for (const auto& q : queries) {
    const std::vector<std::string> one = {q};
    const auto t0 = Clock::now();
    embedder.embed(one);
    latency.push_back(ms(t0, Clock::now()));
    tokens.push_back(static_cast<double>(vocab.tokens(q, true).size()));
  }
  const auto n = static_cast<double>(queries.size());
  result("embed_queries", n);
  result("embed_queries_tokens_p50", percentile(tokens, 0.5));
  result("embed_queries_tokens_p90", percentile(tokens, 0.9));
  result("embed_queries_ms_p50", percentile(latency, 0.5));
  result("embed_queries_ms_p90", percentile(latency, 0.9));
  std::size_t within = 0;
  for (const double l : latency) within += l <= 5.0 ? 1 : 0;
  result("embed_queries_share_within_5ms", n > 0 ? static_cast<double>(within) / n : 0);
}
#endif

// The embedder's speed: p50 latency of one query, and sentences/s when one call embeds all the
// sentences. Builds without the embedder (CHATBOT_HAVE_EMBEDDER unset) report embed_available 0.
void embedBench(const Args& a) {
  const auto sentences = embedSentences(a, 256);
  if (!a.dump_dir.empty()) {
    std::ofstream(a.dump_dir / "embed_one.json")
        << nlohmann::json({{"input", kDecodeQuestions[0]}}).dump();
    std::ofstream(a.dump_dir / "embed_batch.json") << nlohmann::json({{"input", sentences}}).dump();
  }
  result("embed_sentences", static_cast<double>(sentences.size()));
#ifdef CHATBOT_HAVE_EMBEDDER
  if (a.embed_model.empty()) return;
  llm::LlamaEmbedderOptions o;
  o.model_path = a.embed_model;
  o.threads = a.threads;
  const llm::LlamaEmbedder embedder(o);
  const std::vector<std::string> one = {kDecodeQuestions[0]};
  std::vector<double> single;
  for (int i = 0; i < 60; ++i) {
    const auto t0 = Clock::now();
    embedder.embed(one);
    if (i >= 10) single.push_back(ms(t0, Clock::now()));  // the first calls warm caches up
  }
  std::vector<double> rate;
  for (std::size_t r = 0; r < a.repeats; ++r) {
    const auto t0 = Clock::now();
    embedder.embed(sentences);
    rate.push_back(static_cast<double>(sentences.size()) / (ms(t0, Clock::now()) / 1000.0));
  }
  result("embed_available", 1.0);
  result("embed_one_ms", median(single));
  const Vocab vocab(a.embed_model);
  result("embed_one_tokens", static_cast<double>(vocab.tokens(one.front(), true).size()));
  result("embed_batch_per_s", median(rate));
  if (!a.embed_queries.empty()) embedQueriesBench(a, embedder, vocab);
#else
  result("embed_available", 0.0);
  std::fprintf(stderr,
               "llm_bench: no llm/llama_embedder.h on this branch; embedder numbers skipped\n");
#endif
}

int usage() {
  std::fprintf(
      stderr,
      "usage: llm_bench --model M.gguf [--threads 2] [--tokens 128] [--repeats 3] [--streams 4]\n"
      "       [--source-tokens 450] [--agreement 12] [--agreement-tokens 48] [--kb DIR]\n"
      "       [--only load,decode,concurrent,ttft,agreement,embed] [--embed-model M.gguf] "
      "[--dump-dir DIR]\n"
      "       [--embed-queries QUERIES.jsonl]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string v = argv[++i];
    if (arg == "--model")
      a.model = v;
    else if (arg == "--embed-model")
      a.embed_model = v;
    else if (arg == "--embed-queries")
      a.embed_queries = v;
    else if (arg == "--kb")
      a.kb = v;
    else if (arg == "--dump-dir")
      a.dump_dir = v;
    else if (arg == "--threads")
      a.threads = static_cast<unsigned>(std::stoul(v));
    else if (arg == "--tokens")
      a.tokens = std::stoul(v);
    else if (arg == "--repeats")
      a.repeats = std::max<std::size_t>(1, std::stoul(v));
    else if (arg == "--streams")
      a.streams = std::stoul(v);
    else if (arg == "--source-tokens")
      a.source_tokens = std::stoul(v);
    else if (arg == "--agreement")
      a.agreement = std::stoul(v);
    else if (arg == "--agreement-tokens")
      a.agreement_tokens = std::stoul(v);
    else if (arg == "--only") {
      std::istringstream parts(v);
      for (std::string part; std::getline(parts, part, ',');) a.only.insert(part);
    } else
      return usage();
  }
  if (a.model.empty() && !(a.only.size() == 1 && a.wants("embed"))) return usage();
  if (!a.dump_dir.empty()) std::filesystem::create_directories(a.dump_dir);
  log::init(log::Level::kWarning);  // JSON log lines (stdout) are told apart by not starting with
                                    // "result "
  try {
    if (a.model.empty()) {
      embedBench(a);
      return 0;
    }
    result("model_file_mib",
           static_cast<double>(std::filesystem::file_size(a.model)) / (1024.0 * 1024.0));
    result("threads", static_cast<double>(a.threads));
    const auto articles = trimmedArticles(a, a.source_tokens / 3);
    const double rss_before = procStatusMiB("VmRSS");
    const auto t0 = Clock::now();
    auto gen = makeGenerator(a, llm::SourceCache::kParallel);
    result("ready_ms", ms(t0, Clock::now()));
    result("rss_before_load_mib", rss_before);
    result("rss_after_load_mib", procStatusMiB("VmRSS"));
    if (a.wants("decode") || a.wants("concurrent")) decodeBench(a, *gen);
    if (a.wants("concurrent")) concurrentBench(a, *gen);
    // Article sets: the first --repeats for kParallel, the next for kOff (each new to its
    // generator).
    const auto cases = makeCases(articles, 2 * a.repeats + a.agreement);
    if (a.wants("ttft")) {
      ttftBench(a, *gen, std::vector<Case>(cases.begin(), cases.begin() + a.repeats), "parallel",
                true);
    }
    result("rss_peak_mib", procStatusMiB("VmHWM"));
    result("rss_anon_mib", procStatusMiB("RssAnon"));
    result("rss_file_mib", procStatusMiB("RssFile"));
    gen.reset();
    if (a.wants("ttft")) {
      const auto off = makeGenerator(a, llm::SourceCache::kOff);
      ttftBench(a, *off,
                std::vector<Case>(cases.begin() + a.repeats, cases.begin() + 2 * a.repeats), "off",
                false);
    }
    if (a.wants("agreement") && a.agreement > 0) {
      agreementBench(a, std::vector<Case>(cases.begin() + 2 * a.repeats, cases.end()));
    }
    if (a.wants("embed")) embedBench(a);  // last: the chat model's memory figures come first
  } catch (const std::exception& e) {
    std::fprintf(stderr, "llm_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
