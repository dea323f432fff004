#include "app/engines.h"

#include <unistd.h>

#include <algorithm>

#include "app/dense_retrieval.h"
#include "auth/authenticator.h"
#include "auth/jwt_verifier.h"
#include "auth/ticket_access.h"
#include "llm/llama_model.h"
#include "models/resolve.h"
#include "observability/log.h"
#include "rag/extractive_generator.h"
#include "rag/llm_generator.h"
#include "store/sqlite_store.h"
#include "support/conversation_service.h"
#include "support/storage_guard.h"
#include "support/ticket_service.h"
#include "tickets/webhook_client.h"
#include "util/ids.h"

namespace chatbot::app {

namespace {

constexpr std::uint64_t kMegabyte = 1024 * 1024;

llm::SourceCache engineSourceCache(config::SourceCache cache) {
  switch (cache) {
    case config::SourceCache::kParallel:
      return llm::SourceCache::kParallel;
    case config::SourceCache::kOff:
      return llm::SourceCache::kOff;
  }
  return llm::SourceCache::kParallel;
}

rag::LlmGeneratorOptions llmGeneratorOptions(const config::Config& config) {
  rag::LlmGeneratorOptions options;
  options.engine.model_path =
      models::resolveModel(config.llm_model_id, config.models_dir, models::ModelRole::kChat);
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
  return options;
}

// The configured chat model, or the reason it cannot be used (the caller keeps the extractive
// generator then).
std::shared_ptr<const rag::Generator> loadChatModel(const config::Config& config,
                                                    std::string& problem) {
  if (models::isNone(config.llm_model_id)) return nullptr;
  try {
    return std::make_shared<rag::LlmGenerator>(llmGeneratorOptions(config));
  } catch (const std::exception& e) {  // models::ModelNotFound, llm::ModelLoadError
    problem = e.what();
    log::warn("llm.unavailable", {{"model", config.llm_model_id}, {"reason", problem}});
    return nullptr;
  }
}

}  // namespace

Result<Stores> makeStores(const config::Config& config) {
  try {
    auto store = std::make_shared<store::SqliteStore>(config::databasePath(config));
    log::info("store.opened", {{"path", store->path().string()}});
    return Stores{store, store};
  } catch (const store::StoreError& e) {
    return Error{
        ErrorKind::kStorageUnavailable, "store_unavailable",
        std::string(e.what()) + "\nSet DATABASE_PATH to a writable file (or fix DATA_DIR)."};
  }
}

std::unique_ptr<tickets::OutboxWorker> makeOutbox(const config::Config& config,
                                                  std::shared_ptr<store::Store> store) {
  if (config.ticket_webhook_url.empty()) return nullptr;
  tickets::WebhookClientOptions client;
  client.url = config.ticket_webhook_url;
  client.secret = config.ticket_webhook_secret;
  client.timeout = config.ticket_webhook_timeout;
  client.connect_timeout = std::min(config.ticket_webhook_timeout, std::chrono::milliseconds(5000));
  tickets::OutboxOptions delivery;
  delivery.max_attempts = config.ticket_webhook_max_attempts;
  log::info("tickets.webhook",
            {{"signed", !client.secret.empty()}, {"max_attempts", delivery.max_attempts}});
  return std::make_unique<tickets::OutboxWorker>(
      std::move(store), std::make_shared<tickets::WebhookClient>(client), delivery);
}

const retrieval::LexicalEngine& lexicalEngine(const config::Config&) {
  return retrieval::defaultLexicalEngine();  // the only lexical engine so far
}

ingest::IndexOptions indexOptions(const config::Config& config, bool show_progress) {
  ingest::IndexOptions o;
  o.kb_path = config::resolveBundledPath(config.kb_dir);
  o.data_dir = config.data_dir;
  o.synonyms_file = config::resolveBundledPath(config.synonyms_file);
  o.lexical_engine = &lexicalEngine(config);
  o.show_progress = show_progress && isatty(STDERR_FILENO) == 1;
  return o;
}

std::shared_ptr<const retrieval::AnswerConfidence> makeAnswerConfidence(
    const ingest::KnowledgeIndex& index, const config::Config& config) {
  if (config.confidence_model.empty()) return nullptr;
  auto model =
      retrieval::ConfidenceModel::load(config::resolveBundledPath(config.confidence_model));
  if (!model) {
    throw std::runtime_error(model.error().detail +
                             ". Set CONFIDENCE_MODEL to the model file (the bundled one is "
                             "data/confidence.json), or to '' to answer by the search engine's "
                             "score.");
  }
  return std::make_shared<const retrieval::AnswerConfidence>(index.termStatistics(), model.value());
}

std::shared_ptr<const rag::ChatService> makeChatService(
    std::shared_ptr<const ingest::KnowledgeIndex> index, const config::Config& config) {
  rag::ChatServiceParts parts;
  auto extractive =
      std::make_shared<rag::ExtractiveGenerator>(config.support_contact, &index->articles());
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
  (parts.generator ? parts.fallback : parts.generator) = extractive;
  parts.index = std::move(index);
  parts.filter = std::make_shared<security::CredentialFilter>();
  parts.min_answer_score = config.min_answer_score;
  parts.confidence = makeAnswerConfidence(*parts.index, config);
  parts.support_contact = config.support_contact;
  if (!config.out_of_scope_file.empty()) {
    const auto path = config::resolveBundledPath(config.out_of_scope_file);
    try {
      parts.out_of_scope =
          std::make_shared<const rag::OutOfScopeTopics>(rag::OutOfScopeTopics::load(path));
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(e.what()) + " (" + path.string() +
                               "). Fix the file, or set OUT_OF_SCOPE_FILE to '' to turn "
                               "out-of-scope replies off.");
    }
  }
  return std::make_shared<rag::ChatService>(std::move(parts));
}

std::shared_ptr<const auth::TokenVerifier> makeTokenVerifier(const config::Config& config) {
  if (!config.oidcEnabled()) return nullptr;
  auth::OidcOptions options;
  options.issuer = config.oidc_issuer;
  options.audience = config.oidc_audience;
  options.clock_skew = config.oidc_clock_skew;
  options.roles_claim = config.oidc_roles_claim;
  options.agent_groups = config.oidc_agent_groups;
  options.admin_groups = config.oidc_admin_groups;
  std::unique_ptr<auth::JwksSource> source;
  if (!config.oidc_jwks_url.empty()) {
    source = std::make_unique<auth::UrlJwksSource>(config.oidc_jwks_url);
  } else {
    source = std::make_unique<auth::FileJwksSource>(config.oidc_jwks_file);
  }
  log::info("auth.oidc", {{"issuer", options.issuer},
                          {"audience", options.audience},
                          {"keys", source->describe()},
                          {"roles_claim", options.roles_claim}});
  return std::make_shared<auth::JwtVerifier>(std::move(options), std::move(source));
}

Result<api::Services> makeServices(const config::Config& config, const Stores& stores,
                                   tickets::OutboxWorker* outbox) {
  const std::shared_ptr<store::Store>& store = stores.support;
  support::SupportOptions options;
  options.sessions.max_exchanges = config.session_max_messages;
  options.sessions.ttl_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.session_ttl).count();
  options.history_turns = config.session_history_turns;
  options.confident_score = config.escalation_min_score;
  options.threads = config.store_threads;
  support::TicketServiceOptions tickets;
  tickets.notify = !config.ticket_webhook_url.empty();
  if (outbox != nullptr) tickets.wake_outbox = [outbox] { outbox->wake(); };
  api::Services services;
  try {
    tickets.tokens = std::make_shared<auth::TicketTokens>(
        stores.access->serverSecret("ticket_access", util::randomHex(32)));
    services.key_ring = std::make_shared<auth::KeyRing>(stores.access);
  } catch (const store::StoreError& e) {
    return Error{
        ErrorKind::kStorageUnavailable, "store_unavailable",
        std::string(e.what()) + "\nSet DATABASE_PATH to a writable file (or fix DATA_DIR)."};
  }
  services.keys = std::make_shared<auth::KeyService>(stores.access);
  services.audit = std::make_shared<auth::AuditLog>(stores.access);
  services.access_store = stores.access;
  services.authenticator = std::make_shared<auth::Authenticator>(
      services.key_ring, config.admin_api_key, makeTokenVerifier(config));
  services.conversations = std::make_shared<support::ConversationService>(store);
  services.tickets = std::make_shared<support::TicketService>(store, std::move(tickets));
  services.support = std::make_shared<support::SupportService>(store, options);
  services.storage = std::make_shared<support::StorageGuard>(
      config::databasePath(config),
      support::StorageLimits{.max_database_bytes = config.max_database_mb * kMegabyte,
                             .min_free_bytes = config.min_free_disk_mb * kMegabyte});
  services.lexical_engine = lexicalEngine(config).name;
  return services;
}

}  // namespace chatbot::app
