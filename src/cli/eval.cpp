#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "eval/metrics.h"
#include "observability/progress.h"
#include "security/credential_filter.h"
#include "util/time.h"

namespace chatbot::cli {

namespace fs = std::filesystem;

namespace {

struct EvalQuery {
  std::string id;
  std::string text;
  std::unordered_set<std::string> relevant;
};

std::vector<EvalQuery> readQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<EvalQuery> queries;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      EvalQuery q{j.value("id", std::to_string(number)), j.at("query").get<std::string>(), {}};
      for (const auto& r : j.at("relevant")) q.relevant.insert(r.is_string() ? r.get<std::string>() : r.dump());
      queries.push_back(std::move(q));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(number) +
                               ": expected {\"id\", \"query\", \"relevant\": [ids]}: " + e.what());
    }
  }
  return queries;
}

// A scratch DATA_DIR removed when the evaluation ends.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "chatbot-eval-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

}  // namespace

int runEval(const CommonFlags& flags, const EvalFlags& eval) {
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  try {
    const auto queries = readQueries(eval.queries_file);
    const TempDir scratch;
    auto options = indexOptions(*config, !eval.json);
    options.kb_path = eval.kb_file;
    options.data_dir = scratch.path;
    const auto index = ingest::KnowledgeIndex::open(options);
    for (const auto& p : index->info().problems) std::cerr << "problem: " << p.where << ": " << p.message << "\n";

    // Exactly the serving path up to ranking: credential redaction, then the retriever.
    const security::CredentialFilter filter;
    const auto& articles = index->articles();
    std::vector<eval::QueryOutcome> outcomes;
    outcomes.reserve(queries.size());
    {
      observability::ProgressBar bar("evaluating", eval.json ? 0 : queries.size());
      for (const auto& q : queries) {
        const auto start = std::chrono::steady_clock::now();
        const auto hits = index->retriever().search(filter.redact(q.text).text, eval.k);
        eval::QueryOutcome o;
        o.latency_ms = util::millisSince(start);
        for (const auto& h : hits) o.ranked_ids.push_back(articles[h.article].id);
        o.relevant_ids = q.relevant;
        outcomes.push_back(std::move(o));
        bar.advance();
      }
    }
    const auto m = eval::computeMetrics(outcomes);
    if (eval.json) {
      std::cout << nlohmann::json{{"retriever", index->retriever().name()},
                                  {"articles", articles.size()},
                                  {"queries", m.queries},
                                  {"hit_at_1", m.hit_at_1},
                                  {"hit_at_5", m.hit_at_5},
                                  {"mrr_at_10", m.mrr_at_10},
                                  {"ndcg_at_10", m.ndcg_at_10},
                                  {"p50_ms", m.p50_ms},
                                  {"p95_ms", m.p95_ms}}
                       .dump()
                << "\n";
    } else {
      std::printf("retriever   %s over %zu articles\n", index->retriever().name().c_str(), articles.size());
      std::printf("queries     %zu\nhit_at_1    %.3f\nhit_at_5    %.3f\nmrr_at_10   %.3f\nndcg_at_10  %.3f\n"
                  "p50_ms      %.3f\np95_ms      %.3f\n",
                  m.queries, m.hit_at_1, m.hit_at_5, m.mrr_at_10, m.ndcg_at_10, m.p50_ms, m.p95_ms);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "chatbot eval: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatbot::cli
