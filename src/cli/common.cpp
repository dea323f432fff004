#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/dense_setup.h"
#include "observability/log.h"
#include "llm/llama_model.h"
#include "models/resolve.h"
#include "rag/extractive_generator.h"
#include "rag/llm_generator.h"

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

namespace {

llm::SourceCache engineSourceCache(config::SourceCache cache) {
  switch (cache) {
    case config::SourceCache::kParallel:
      return llm::SourceCache::kParallel;
    case config::SourceCache::kOff:
      return llm::SourceCache::kOff;
  }
  return llm::SourceCache::kParallel;
}

// The configured chat model, or the reason it cannot be used (the caller keeps the extractive
// generator then).
std::shared_ptr<const rag::Generator> loadChatModel(const config::Config& config, std::string& problem) {
  if (models::isNone(config.llm_model_id)) return nullptr;
  try {
    rag::LlmGeneratorOptions options;
    options.engine.model_path = models::resolveModel(config.llm_model_id, config.models_dir, models::ModelRole::kChat);
    options.engine.chat_template = config.llm_chat_template;
    options.engine.slots = config.llm_slots;
    options.engine.context = config.llm_context;
    options.engine.threads = config.llm_threads;
    options.engine.queue_capacity = config.llm_queue;
    options.engine.source_cache = engineSourceCache(config.llm_source_cache);
    options.engine.source_cache_tokens = config.llm_source_cache_tokens;
    options.engine.kv_type = config::toString(config.llm_kv_type);
    options.engine.map_file = config.llm_mmap;
    options.support_contact = config.support_contact;
    options.temperature = config.llm_temperature;
    options.top_p = config.llm_top_p;
    options.seed = config.llm_seed;
    options.timeout = config.llm_timeout;
    return std::make_shared<rag::LlmGenerator>(std::move(options));
  } catch (const std::exception& e) {  // models::ModelNotFound, llm::ModelLoadError
    problem = e.what();
    log::warn("llm.unavailable", {{"model", config.llm_model_id}, {"reason", problem}});
    return nullptr;
  }
}

}  // namespace

std::shared_ptr<const rag::ChatService> makeChatService(std::shared_ptr<const ingest::KnowledgeIndex> index,
                                                        const config::Config& config) {
  rag::ChatServiceParts parts;
  auto extractive = std::make_shared<rag::ExtractiveGenerator>(config.support_contact, &index->articles());
  parts.generator = loadChatModel(config, parts.generator_problem);
  // With an embedding model, retrieval is hybrid and blocks on the embedder; with a chat model,
  // prompt building precedes generation. Either way the pipeline runs on the service's own
  // threads, never on HTTP threads. Without an embedder (or when it fails to load) retrieval
  // stays lexical.
  DenseRetrieval dense = setUpDenseRetrieval(index, config, false);
  if (!dense.error.empty()) log::warn("retrieval.dense_unavailable", {{"error", dense.error}});
  parts.embedding_problem = dense.error;
  parts.embedder = dense.embedder;
  parts.retriever = dense.hybrid;
  if (dense.enabled()) parts.pipeline_threads = densePipelineThreads();
  if (parts.generator) {
    // A follow-up's rewrite by the model blocks its pipeline thread for a generation: one thread
    // per generation slot keeps other questions' retrieval moving meanwhile.
    parts.pipeline_threads = std::max<std::size_t>(parts.pipeline_threads, config.llm_slots + 1);
  }
  parts.llm_rewrites_follow_ups = config.query_rewrite == config::QueryRewrite::kAuto;
  if (parts.generator) {
    parts.fallback = extractive;
  } else {
    parts.generator = extractive;
  }
  parts.index = std::move(index);
  parts.filter = std::make_shared<security::CredentialFilter>();
  parts.min_answer_score = config.min_answer_score;
  return std::make_shared<rag::ChatService>(std::move(parts));
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
