#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>

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

namespace {

// One line per setting: name, value, and a marker on the ones changed from the default.
void printSettings(const config::Config& config) {
  std::size_t width = 0;
  for (const auto& s : config::settings()) width = std::max(width, s.name.size());
  std::optional<config::Subsystem> group;
  for (const auto& view : config::describeSettings(config)) {
    const config::Setting& s = *view.setting;
    if (group != s.subsystem) {
      group = s.subsystem;
      std::cout << "\n# " << config::title(s.subsystem) << "\n";
    }
    std::cout << s.name << std::string(width + 2 - s.name.size(), ' ')
              << (view.value.empty() ? "(empty)" : view.value)
              << (view.is_default ? "" : "   # changed from the default") << "\n";
  }
}

}  // namespace

int runConfig(const CommonFlags& flags, ConfigOutput output) {
  if (output == ConfigOutput::kEnvExample) {
    std::cout << config::envExample();
    return 0;
  }
  if (output == ConfigOutput::kSettingsTable) {
    std::cout << config::settingsTable();
    return 0;
  }
  const auto config = loadConfigOrReport(flags);
  if (!config) return 2;
  if (output == ConfigOutput::kShow) {
    std::cout << "# Effective settings (environment, .env, flags, defaults); secrets masked.\n";
    printSettings(*config);
    return 0;
  }
  std::cout << "configuration is valid\n"
            << "  HOST:PORT      " << config->host << ":" << config->port << "\n"
            << "  KB_DIR         " << config->kb_dir.string() << "\n"
            << "  DATA_DIR       " << config->data_dir.string() << "\n"
            << "  LLM_MODEL_ID   " << config->llm_model_id << "\n"
            << "  LOG_LEVEL      " << config::toString(config->log_level) << "\n"
            << "Every setting: chatbot config --show\n";
  return 0;
}

}  // namespace chatbot::cli
