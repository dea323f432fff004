#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/dense_setup.h"
#include "observability/log.h"
#include "rag/extractive_generator.h"

namespace chatbot::cli {

std::optional<config::Config> loadConfigOrReport(const CommonFlags& flags) {
  try {
    config::LoadOptions options;
    if (flags.env_file) options.env_file = *flags.env_file;
    options.overrides = flags.overrides;
    return config::load(options);
  } catch (const config::ConfigError& e) {
    std::cerr << "chatbot: " << e.what()
              << "\nFix the variable(s) above in the environment or .env (see .env.example), or the matching flag.\n";
    return std::nullopt;
  }
}

ingest::IndexOptions indexOptions(const config::Config& config, bool show_progress) {
  ingest::IndexOptions o;
  o.kb_path = config::resolveBundledPath(config.kb_dir);
  o.data_dir = config.data_dir;
  o.synonyms_file = config::resolveBundledPath(config.synonyms_file);
  o.show_progress = show_progress && isatty(STDERR_FILENO) == 1;
  return o;
}

std::shared_ptr<const rag::ChatService> makeChatService(std::shared_ptr<const ingest::KnowledgeIndex> index,
                                                        const config::Config& config) {
  auto generator = std::make_shared<rag::ExtractiveGenerator>(config.support_contact, &index->articles());
  auto filter = std::make_shared<security::CredentialFilter>();
  // With an embedding model, retrieval is hybrid and blocks on the embedder: it runs on the
  // service's pipeline threads. Without one (or when it fails to load) it stays lexical.
  DenseRetrieval dense = setUpDenseRetrieval(index, config, false);
  if (!dense.error.empty()) log::warn("retrieval.dense_unavailable", {{"error", dense.error}});
  return std::make_shared<rag::ChatService>(
      rag::ChatServiceParts{.index = std::move(index),
                            .retriever = dense.hybrid,
                            .generator = std::move(generator),
                            .filter = std::move(filter),
                            .min_answer_score = config.min_answer_score,
                            .pipeline_threads = dense.enabled() ? densePipelineThreads() : 0});
}

int runConfig(const CommonFlags& flags, bool env_example) {
  if (env_example) {
    std::cout << config::envExample();
    return 0;
  }
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  std::cout << "configuration is valid\n"
            << "  HOST:PORT      " << config->host << ":" << config->port << "\n"
            << "  KB_DIR         " << config->kb_dir.string() << "\n"
            << "  DATA_DIR       " << config->data_dir.string() << "\n"
            << "  LLM_MODEL_ID   " << config->llm_model_id << "\n"
            << "  LOG_LEVEL      " << config::toString(config->log_level) << "\n";
  return 0;
}

}  // namespace chatbot::cli
