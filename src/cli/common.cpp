#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "app/engines.h"
#include "cli/commands.h"

namespace chatbot::cli {

std::optional<config::Config> loadConfigOrReport(const CommonFlags& flags) {
  try {
    config::LoadOptions options;
    if (flags.env_file) options.env_file = *flags.env_file;
    options.overrides = flags.overrides;
    return config::load(options);
  } catch (const config::ConfigError& e) {
    std::cerr << "chatbot: " << e.what()
              << "\nFix the variable(s) above in the environment or .env (see .env.example), or "
                 "the matching flag.\n";
    return std::nullopt;
  }
}

ingest::IndexOptions indexOptions(const config::Config& config, bool show_progress) {
  return app::indexOptions(config, show_progress);
}

std::shared_ptr<const rag::ChatService> makeChatService(
    std::shared_ptr<const ingest::KnowledgeIndex> index, const config::Config& config) {
  return app::makeChatService(std::move(index), config);
}

int runConfig(const CommonFlags& flags, bool env_example, bool settings_table) {
  if (env_example) {
    std::cout << config::envExample();
    return 0;
  }
  if (settings_table) {
    std::cout << config::settingsTable();
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
