// The declaration of every setting: name, Config member, validation, help text, subsystem. This
// file is data; the typed helpers are in declare.h, the parsers in value_parsing.h.
#include <set>
#include <stdexcept>

#include "config/config.h"
#include "config/declare.h"

namespace chatbot::config {

namespace {

using namespace declare;  // NOLINT(google-build-using-namespace): the table reads as data

std::vector<Setting> generalSettings() {
  return group(
      Subsystem::kGeneral,
      {
          field("API_V1_PREFIX", &Config::api_v1_prefix, parse::prefix,
                "Path prefix of the versioned API"),
          field("PROJECT_NAME", &Config::project_name, parse::nonEmpty,
                "Name shown by `GET /` and in the API docs"),
          flag("DEBUG", &Config::debug, "Debug-level logs; never exposes internals to clients"),
          choice("LOG_LEVEL", &Config::log_level,
                 "Least severe log level written: trace, debug, info, warning, error, critical or "
                 "off"),
      });
}

std::vector<Setting> httpSettings() {
  return group(
      Subsystem::kHttp,
      {
          field("HOST", &Config::host, parse::nonEmpty, "Address to listen on"),
          integer("PORT", &Config::port, 0, 65535, "TCP port to listen on (0 picks a free one)"),
          field("WEB_DIR", &Config::web_dir, parse::nonEmpty,
                "Folder with swagger-ui-dist, served at /docs"),
          field("CORS_ORIGINS", &Config::cors_origins, parse::origins,
                "Comma-separated allowed browser origins; '*' allows any; empty disables CORS"),
          integer("THREADS", &Config::threads, 0, 256,
                  "HTTP worker threads; 0 means one per CPU core"),
          integer("MAX_BODY_BYTES", &Config::max_body_bytes, 1024, 16 << 20,
                  "Largest accepted request body in bytes (larger: 413)"),
          integer("MAX_CONNECTIONS", &Config::max_connections, 1, 1'000'000,
                  "Concurrent connections; further ones wait in the accept queue"),
          integer("HEADER_TIMEOUT_MS", &Config::header_timeout, 100, 600'000,
                  "Time allowed to receive a request's headers and body (408 after it)"),
          integer("IDLE_TIMEOUT_MS", &Config::idle_timeout, 100, 3'600'000,
                  "Idle keep-alive connections are closed after this long"),
          integer("SHUTDOWN_GRACE_MS", &Config::shutdown_grace, 0, 600'000,
                  "On SIGINT/SIGTERM, how long in-flight requests may take to finish"),
      });
}

std::vector<Setting> knowledgeBaseSettings() {
  return group(
      Subsystem::kKnowledgeBase,
      {
          field("KB_DIR", &Config::kb_dir, parse::nonEmpty,
                "Knowledge base: a folder of Markdown, JSONL or CSV files, or one such file"),
          field("DATA_DIR", &Config::data_dir, parse::nonEmpty,
                "Where the search index and article store are written"),
          field("SYNONYMS_FILE", &Config::synonyms_file, parse::trimmed,
                "IT synonym groups used by search ('' disables them)"),
      });
}

std::vector<Setting> retrievalSettings() {
  return group(
      Subsystem::kRetrieval,
      {
          field("EMBEDDING_MODEL", &Config::embedding_model, parse::modelId,
                "Embedding model for hybrid retrieval: a .gguf path, an alias or a file in "
                "MODELS_DIR; "
                "'none' keeps retrieval lexical"),
          choice("EMBEDDING_POOLING", &Config::embedding_pooling,
                 "auto (the model's own pooling; mean for a model that declares none), mean, cls "
                 "or last"),
          choice(
              "RETRIEVAL_FUSION", &Config::retrieval_fusion,
              "How lexical and dense results are fused: rrf (reciprocal rank, k = 60) or weighted"),
          number(
              "DENSE_WEIGHT", &Config::dense_weight, 0.0, 1.0,
              "Share of the dense cosine in the reported score (and in the ranking with weighted "
              "fusion); lexical gets the rest"),
          choice("DENSE_INDEX", &Config::dense_index,
                 "FAISS index: flat (exact) or hnsw (approximate, for KBs of many thousands of "
                 "articles)"),
      });
}

std::vector<Setting> modelSettings() {
  return group(
      Subsystem::kLlm,
      {
          field(
              "LLM_MODEL_ID", &Config::llm_model_id, parse::modelId,
              "Chat model for generated answers: a .gguf path or an alias (`chatbot models list`); "
              "'none' uses the extractive generator"),
          field("MODELS_DIR", &Config::models_dir, parse::nonEmpty,
                "Where `chatbot models pull` stores GGUF files and aliases are looked up"),
          field("HF_ENDPOINT", &Config::hf_endpoint, parse::nonEmpty,
                "Hugging Face endpoint used by `chatbot models pull` (a mirror works too)"),
          field(
              "LLM_CHAT_TEMPLATE", &Config::llm_chat_template, parse::nonEmpty,
              "auto (the GGUF's own) or a llama.cpp template name (chatml, llama2, llama3, zephyr, "
              "gemma, phi3...) for files without one"),
          integer(
              "LLM_SLOTS", &Config::llm_slots, 1, 64,
              "Answers generated in parallel (continuous batching: one decode serves them all)"),
          integer(
              "LLM_CONTEXT", &Config::llm_context, 256, 131'072,
              "Context tokens per answer: prompt + sources + answer (clamped to the model's own)"),
          integer(
              "LLM_THREADS", &Config::llm_threads, 0, 256,
              "CPU threads for model inference; 0 means one per core (on a shared machine fewer "
              "threads are faster: ggml's threads spin while waiting for each other)"),
          integer("LLM_QUEUE", &Config::llm_queue, 0, 10'000,
                  "Requests that may wait for a free slot; more get 503 + Retry-After"),
          integer("LLM_TIMEOUT_MS", &Config::llm_timeout, 100, 3'600'000,
                  "Deadline for a generated answer; past it the extractive answer is returned"),
          number("LLM_TEMPERATURE", &Config::llm_temperature, 0.0, 2.0,
                 "Sampling temperature; 0 is greedy (deterministic); requests may set their own"),
          number("LLM_TOP_P", &Config::llm_top_p, 0.01, 1.0,
                 "Nucleus sampling threshold; requests may set their own"),
          integer("LLM_SEED", &Config::llm_seed, 0, 4'294'967'295LL,
                  "Sampling seed; 0 picks a random one per request; requests may set their own"),
          choice(
              "LLM_SOURCE_CACHE", &Config::llm_source_cache,
              "parallel: reuse each article's KV cache across requests (fast first token; articles "
              "do not attend to each other); off: evaluate the whole prompt per request (exact)"),
          integer("LLM_SOURCE_CACHE_TOKENS", &Config::llm_source_cache_tokens, 0, 1'000'000,
                  "KV-cache cells kept for cached articles (least recently used are dropped)"),
          choice("LLM_KV_TYPE", &Config::llm_kv_type,
                 "KV-cache element type: q8_0 (half the memory, near-identical output) or f16"),
          flag("LLM_MMAP", &Config::llm_mmap,
               "Map the model file instead of reading it: shares pages between processes, but "
               "repacked "
               "weights are then held twice"),
      });
}

std::vector<Setting> chatSettings() {
  return group(Subsystem::kChat,
               {
                   integer("MAX_QUERY_CHARS", &Config::max_query_chars, 10, 100'000,
                           "Longest accepted query, in characters (Unicode code points)"),
                   number("MIN_ANSWER_SCORE", &Config::min_answer_score, 0.0, 1.0,
                          "Confidence (0-1) below which the bot says the KB has no answer: with "
                          "CONFIDENCE_MODEL, the estimated probability that the article answers"),
                   field("CONFIDENCE_MODEL", &Config::confidence_model, parse::trimmed,
                         "Weights of the answer-confidence estimate (fitted by `chatbot eval "
                         "--fit-confidence`); '' scores answers by the search engine's score"),
                   field("OUT_OF_SCOPE_FILE", &Config::out_of_scope_file, parse::trimmed,
                         "Topics outside IT (HR, payroll, facilities) and who handles them: lines "
                         "'name | contact | phrase, ...'; a question the KB cannot answer that "
                         "names one gets that contact ('' disables)"),
                   field("SUPPORT_CONTACT", &Config::support_contact, parse::nonEmpty,
                         "How users reach a human, quoted when the KB has no answer"),
                   choice("QUERY_REWRITE", &Config::query_rewrite,
                          "How follow-up questions become standalone queries: auto (the LLM when "
                          "one is loaded, "
                          "else rules) or rules (never asks the LLM)"),
               });
}

std::vector<Setting> conversationSettings() {
  return group(
      Subsystem::kConversations,
      {
          field("DATABASE_PATH", &Config::database_path, parse::trimmed,
                "SQLite file for conversations, feedback and tickets ('' : "
                "DATA_DIR/chatbot.sqlite3)"),
          integer("SESSION_TTL_MINUTES", &Config::session_ttl, 1, 525'600,
                  "A conversation is forgotten this long after its last message"),
          integer("SESSION_MAX_MESSAGES", &Config::session_max_messages, 1, 10'000,
                  "Messages kept per conversation (older ones are dropped)"),
          integer(
              "SESSION_HISTORY_TURNS", &Config::session_history_turns, 0, 20,
              "Earlier exchanges used to understand a follow-up question (and given to the LLM)"),
          integer("STORE_THREADS", &Config::store_threads, 1, 64,
                  "Threads for database work (kept off the HTTP threads)"),
          integer("MAX_DATABASE_MB", &Config::max_database_mb, 0, 100'000'000,
                  "New answers, feedback, tickets and notes get 503 storage_full once the database "
                  "reaches this size; /health warns from 90%; 0 disables"),
          integer("MIN_FREE_DISK_MB", &Config::min_free_disk_mb, 0, 100'000'000,
                  "The same refusal while the database's disk has less free space than this "
                  "(/health warns below twice it); 0 disables"),
      });
}

std::vector<Setting> ticketSettings() {
  return group(
      Subsystem::kTickets,
      {
          number("ESCALATION_MIN_SCORE", &Config::escalation_min_score, 0.0, 1.0,
                 "Best retrieval score (0-1) below which a reply offers a ticket"),
          // Chat-tool webhook URLs (Slack, Teams) are credentials themselves.
          secret(field("TICKET_WEBHOOK_URL", &Config::ticket_webhook_url, parse::optionalUrl,
                       "POST every ticket change to this URL (e.g. your ticket system); '' "
                       "disables it")),
          secret(field("TICKET_WEBHOOK_SECRET", &Config::ticket_webhook_secret, parse::verbatim,
                       "Key for the X-Chatbot-Signature HMAC-SHA256 header of webhook calls ('' : "
                       "unsigned)")),
          integer("TICKET_WEBHOOK_TIMEOUT_MS", &Config::ticket_webhook_timeout, 100, 600'000,
                  "Time limit of one webhook call"),
          integer("TICKET_WEBHOOK_MAX_ATTEMPTS", &Config::ticket_webhook_max_attempts, 1, 1000,
                  "Attempts per webhook event before it is marked failed (backoff doubling up to "
                  "10 min)"),
      });
}

std::vector<Setting> accessSettings() {
  return group(
      Subsystem::kAccess,
      {
          choice("CHAT_ACCESS", &Config::chat_access,
                 "open: anyone may chat, give feedback and open tickets (as an employee without "
                 "an identity); authenticated: every route but /, /health and the docs needs a "
                 "key or token"),
          secret(field("ADMIN_API_KEY", &Config::admin_api_key, parse::bootstrapKey,
                       "Accepted as an admin API key, to administer a fresh install before any "
                       "key exists (at least 32 characters, e.g. `openssl rand -hex 32`); '' "
                       "disables it")),
          integer("RATE_LIMIT_CHAT_PER_MINUTE", &Config::rate_limit_chat_per_minute, 0, 1'000'000,
                  "Chat requests per minute per caller (identity, or client address when "
                  "anonymous); 429 beyond it; 0 disables"),
          integer("RATE_LIMIT_TICKETS_PER_HOUR", &Config::rate_limit_tickets_per_hour, 0, 1'000'000,
                  "Tickets opened per hour per caller; 0 disables"),
          number("RATE_LIMIT_DESK_MULTIPLIER", &Config::rate_limit_desk_multiplier, 1.0, 1000.0,
                 "Agents and admins get this many times the quotas"),
          field("TRUSTED_PROXIES", &Config::trusted_proxies, parse::trustedProxies,
                "Reverse proxies (addresses, CIDR ranges) whose X-Forwarded-For is believed for "
                "the client address; '' trusts none"),
          field("OIDC_ISSUER", &Config::oidc_issuer, parse::trimmed,
                "Single sign-on: the OIDC provider's issuer (the tokens' iss, exactly); '' turns "
                "SSO off"),
          field("OIDC_AUDIENCE", &Config::oidc_audience, parse::trimmed,
                "The audience (aud) tokens must be issued for: this service's client id"),
          field("OIDC_JWKS_URL", &Config::oidc_jwks_url, parse::optionalUrl,
                "Where the provider publishes its signing keys (JWKS), e.g. "
                "https://idp.example.com/.well-known/jwks.json"),
          field("OIDC_JWKS_FILE", &Config::oidc_jwks_file, parse::trimmed,
                "The signing keys (JWKS) from a file instead of OIDC_JWKS_URL"),
          field("OIDC_ROLES_CLAIM", &Config::oidc_roles_claim, parse::nonEmpty,
                "The claim with the user's groups or roles (a dotted path such as "
                "realm_access.roles works)"),
          field("OIDC_AGENT_GROUPS", &Config::oidc_agent_groups, parse::names,
                "Comma-separated groups whose members are agents (the service desk)"),
          field("OIDC_ADMIN_GROUPS", &Config::oidc_admin_groups, parse::names,
                "Comma-separated groups whose members are admins; everyone else is an employee"),
          integer("OIDC_CLOCK_SKEW_SECONDS", &Config::oidc_clock_skew, 0, 600,
                  "Leeway for the tokens' exp and nbf against this server's clock"),
      });
}

std::vector<Setting> declareAll() {
  std::vector<Setting> all;
  for (auto part : {generalSettings(), httpSettings(), knowledgeBaseSettings(), retrievalSettings(),
                    modelSettings(), chatSettings(), conversationSettings(), ticketSettings(),
                    accessSettings()}) {
    for (auto& s : part) all.push_back(std::move(s));
  }
  std::set<std::string> names;
  for (const auto& s : all) {
    if (!names.insert(s.name).second) throw std::logic_error("setting declared twice: " + s.name);
  }
  return all;
}

}  // namespace

std::string_view title(Subsystem subsystem) {
  switch (subsystem) {
    case Subsystem::kGeneral:
      return "General";
    case Subsystem::kHttp:
      return "HTTP server";
    case Subsystem::kKnowledgeBase:
      return "Knowledge base";
    case Subsystem::kRetrieval:
      return "Retrieval";
    case Subsystem::kLlm:
      return "Local models (llama.cpp)";
    case Subsystem::kChat:
      return "Answers";
    case Subsystem::kConversations:
      return "Conversations and feedback";
    case Subsystem::kTickets:
      return "Escalation and tickets";
    case Subsystem::kAccess:
      return "Identity and access";
  }
  return "Other";
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = declareAll();
  return kSettings;
}

std::vector<SettingView> describeSettings(const Config& config) {
  std::vector<SettingView> views;
  views.reserve(settings().size());
  for (const auto& s : settings()) {
    std::string value = s.format(config);
    const bool is_default = value == s.default_value;
    if (s.secret && !value.empty()) value = kMaskedSecret;
    views.push_back({&s, std::move(value), is_default});
  }
  return views;
}

void applySetting(Config& config, const std::string& name, const std::string& value) {
  for (const auto& s : settings()) {
    if (s.name == name) {
      s.apply(config, value);
      return;
    }
  }
  throw ConfigError("unknown setting " + name);
}

}  // namespace chatbot::config
