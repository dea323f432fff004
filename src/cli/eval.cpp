#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/dense_retrieval.h"
#include "cli/commands.h"
#include "cli/eval_confidence.h"
#include "cli/eval_queries.h"
#include "eval/metrics.h"
#include "observability/log.h"
#include "observability/progress.h"
#include "security/credential_filter.h"
#include "util/time.h"

namespace chatbot::cli {

namespace fs = std::filesystem;

namespace {

// A scratch DATA_DIR removed when the evaluation ends.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "chatbot-eval-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory");
    }
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

struct EvalRun {
  std::string kind;  // lexical, dense or hybrid
  std::string retriever;
  eval::Metrics metrics;
};

// Runs every query through `retriever` exactly as serving does up to ranking: credential
// redaction, then search. Queries run one at a time, so latencies are single-query latencies.
eval::Metrics evaluate(const retrieval::Retriever& retriever, const std::vector<EvalQuery>& queries,
                       const std::vector<kb::Article>& articles, std::size_t k,
                       const std::string& label, bool show_progress) {
  const security::CredentialFilter filter;
  std::vector<eval::QueryOutcome> outcomes;
  outcomes.reserve(queries.size());
  observability::ProgressBar bar("evaluating " + label, show_progress ? queries.size() : 0);
  for (const auto& q : queries) {
    const auto start = std::chrono::steady_clock::now();
    const auto hits = retriever.search(filter.redact(q.text).text, k);
    eval::QueryOutcome o;
    o.latency_ms = util::millisSince(start);
    for (const auto& h : hits) o.ranked_ids.push_back(articles[h.article].id);
    o.relevant_ids = q.relevant;
    outcomes.push_back(std::move(o));
    bar.advance();
  }
  return eval::computeMetrics(outcomes);
}

nlohmann::json toJson(const EvalRun& run) {
  const auto& m = run.metrics;
  return {{"run", run.kind},
          {"retriever", run.retriever},
          {"queries", m.queries},
          {"hit_at_1", m.hit_at_1},
          {"hit_at_5", m.hit_at_5},
          {"mrr_at_10", m.mrr_at_10},
          {"ndcg_at_10", m.ndcg_at_10},
          {"p50_ms", m.p50_ms},
          {"p95_ms", m.p95_ms}};
}

// What the report says about dense retrieval: the model, or why there is no dense run.
std::string denseNote(const app::DenseRetrieval& dense) {
  if (dense.enabled()) return "embedding model " + dense.embedder->identity();
  if (!dense.error.empty()) return "dense retrieval unavailable: " + dense.error;
  return "dense and hybrid retrieval are off: set EMBEDDING_MODEL to a GGUF embedding model to "
         "compare them";
}

void printReport(const std::vector<EvalRun>& runs, std::size_t queries, std::size_t articles,
                 const app::DenseRetrieval& dense, bool json, const nlohmann::json& selective) {
  if (json) {
    // The top-level metrics are the lexical run's (what older consumers read); `runs` has all.
    nlohmann::json out = toJson(runs.front());
    out["articles"] = articles;
    out["runs"] = nlohmann::json::array();
    for (const auto& run : runs) out["runs"].push_back(toJson(run));
    out["dense"] =
        dense.enabled() ? nlohmann::json(dense.embedder->identity()) : nlohmann::json(nullptr);
    if (!dense.enabled()) out["note"] = denseNote(dense);
    if (!selective.is_null()) out["selective"] = selective;
    std::cout << out.dump() << "\n";
    return;
  }
  std::printf("%zu queries over %zu articles\n", queries, articles);
  std::printf("%-8s %-44s %6s %6s %7s %8s %8s %8s\n", "run", "retriever", "hit@1", "hit@5",
              "mrr@10", "ndcg@10", "p50_ms", "p95_ms");
  for (const auto& run : runs) {
    const auto& m = run.metrics;
    std::printf("%-8s %-44s %6.3f %6.3f %7.3f %8.3f %8.3f %8.3f\n", run.kind.c_str(),
                run.retriever.c_str(), m.hit_at_1, m.hit_at_5, m.mrr_at_10, m.ndcg_at_10, m.p50_ms,
                m.p95_ms);
  }
  std::printf("%s\n", denseNote(dense).c_str());
}

// Selective answering over the in-domain `queries` and the --out-of-domain files, with the
// retriever chat uses; null when neither --out-of-domain nor --fit-confidence was given.
nlohmann::json selectiveReport(const config::Config& config, const EvalFlags& eval,
                               const ingest::KnowledgeIndex& index,
                               const retrieval::Retriever& retriever,
                               std::vector<EvalQuery> queries) {
  if (eval.out_of_domain.empty() && eval.fit_confidence.empty()) return nullptr;
  ConfidenceEvalInput input{index, retriever, std::move(queries)};
  for (const auto& file : eval.out_of_domain) {
    auto more = readQueries(file, eval.language);
    input.out_of_domain.insert(input.out_of_domain.end(), more.begin(), more.end());
  }
  if (!config.confidence_model.empty()) {
    auto model =
        retrieval::ConfidenceModel::load(config::resolveBundledPath(config.confidence_model));
    if (!model) throw std::runtime_error(model.error().detail);
    input.model = model.value();
  }
  input.threshold = config.min_answer_score;
  input.fit_output = eval.fit_confidence;
  input.json = eval.json;
  input.show_progress = !eval.json;
  return evaluateConfidence(input);
}

}  // namespace

int runEval(const CommonFlags& flags, const EvalFlags& eval) {
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  // Logs go to stdout: keep the report (and --json) clean of routine lines.
  log::init(std::max(config->log_level, config::LogLevel::kWarning));
  try {
    const auto queries = readQueries(eval.queries_file, eval.language);
    const TempDir scratch;
    auto options = indexOptions(*config, !eval.json);
    options.kb_path = eval.kb_file;
    options.data_dir = scratch.path;
    const auto index = ingest::KnowledgeIndex::open(options);
    for (const auto& p : index->info().problems) {
      std::cerr << "problem: " << p.where << ": " << p.message << "\n";
    }
    const auto& articles = index->articles();

    std::vector<EvalRun> runs;
    runs.push_back({"lexical", index->retriever().name(), {}});
    runs.back().metrics =
        evaluate(index->retriever(), queries, articles, eval.k, "lexical", !eval.json);
    const app::DenseRetrieval dense = app::setUpDenseRetrieval(index, *config, !eval.json);
    if (dense.enabled()) {
      runs.push_back({"dense", dense.dense->name(),
                      evaluate(*dense.dense, queries, articles, eval.k, "dense", !eval.json)});
      runs.push_back({"hybrid", dense.hybrid->name(),
                      evaluate(*dense.hybrid, queries, articles, eval.k, "hybrid", !eval.json)});
    }
    if (!eval.json) printReport(runs, queries.size(), articles.size(), dense, false, nullptr);
    const retrieval::Retriever& chat_retriever =
        dense.enabled() ? *dense.hybrid : index->retriever();
    const nlohmann::json selective =
        selectiveReport(*config, eval, *index, chat_retriever, queries);
    if (eval.json) printReport(runs, queries.size(), articles.size(), dense, true, selective);
    return dense.error.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "chatbot eval: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatbot::cli
