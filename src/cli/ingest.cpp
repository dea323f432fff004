#include <algorithm>
#include <iostream>

#include "app/dense_retrieval.h"
#include "cli/commands.h"
#include "observability/log.h"

namespace chatbot::cli {

int runIngest(const CommonFlags& flags, const IngestFlags& ingest) {
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  // Logs go to stdout: keep the report free of routine lines.
  log::init(std::max(config->log_level, config::LogLevel::kWarning));
  auto options = indexOptions(*config, true);
  options.force_rebuild = ingest.rebuild;
  try {
    const auto index = ingest::KnowledgeIndex::open(options);
    const auto& info = index->info();
    for (const auto& p : info.problems) {
      std::cerr << "problem: " << p.where << ": " << p.message << "\n";
    }
    std::cout << (info.rebuilt ? "indexed " : "index is up to date: ") << info.articles
              << " articles from " << info.files << " files in " << config->kb_dir.string() << "\n"
              << "index: " << info.index_dir.string() << " (" << static_cast<long>(info.build_ms)
              << " ms)\n";
    // With an embedding model, the dense index is built now rather than at the first serve.
    const app::DenseRetrieval dense = app::setUpDenseRetrieval(index, *config, true);
    if (!dense.error.empty()) {
      std::cerr << "chatbot ingest: " << dense.error << "\n";
      return 1;
    }
    if (dense.enabled()) {
      const auto& d = dense.index->info();
      std::cout << (d.rebuilt ? "embedded " : "dense index is up to date: ") << d.vectors
                << " articles with " << d.embedder << "\n"
                << "dense index: " << d.dir.string() << " (" << retrieval::toString(d.kind) << ", "
                << static_cast<long>(d.build_ms) << " ms"
                << (d.rebuilt ? "; " + d.rebuild_reason : "") << ")\n";
    }
    if (!info.problems.empty()) {
      std::cerr << info.problems.size()
                << " problem(s) found; the articles concerned were skipped. "
                << "Fix them (see data/kb/FORMAT.md)"
                << (ingest.allow_problems ? ".\n" : " or pass --allow-problems.\n");
      return ingest.allow_problems ? 0 : 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "chatbot ingest: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace chatbot::cli
