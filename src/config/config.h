#pragma once
// Server configuration: defaults, then a `.env` file, then the process environment, then CLI flags
// (later sources win). Every setting is declared once (src/config/settings.cpp): its name, the
// Config member it fills, its parser and validation, its help text and subsystem. The default is
// the member's initialiser below; `.env.example` and the README's settings table are generated
// from the declarations.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/choices.h"

namespace chatbot::config {

// The initialisers are the settings' defaults, written only here: the declarations in settings.cpp
// format them for `.env.example` and the README.
struct Config {
  // Reference-API names.
  std::string api_v1_prefix = "/api/v1";
  std::string project_name = "IT Support Chatbot";
  bool debug = false;
  std::string host = "0.0.0.0";
  std::uint16_t port = 8000;
  LogLevel log_level = LogLevel::kInfo;
  std::string llm_model_id = "none";
  std::string embedding_model = "none";

  // Knowledge base and index.
  std::filesystem::path kb_dir = "data/kb";
  std::filesystem::path data_dir = "var/data";
  std::filesystem::path synonyms_file = "data/synonyms.txt";  // empty: no synonyms
  std::filesystem::path web_dir = "web/node_modules/swagger-ui-dist";

  // HTTP server.
  std::vector<std::string> cors_origins;  // empty: no CORS headers; {"*"}: any origin
  unsigned threads = 0;                   // 0: one per CPU core
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_connections = 10'000;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_grace{10'000};

  // Local models (llama.cpp). Model settings take a .gguf path, a known alias or 'none'.
  std::filesystem::path models_dir = "var/models";
  EmbeddingPooling embedding_pooling = EmbeddingPooling::kAuto;
  std::string llm_chat_template =
      "auto";                      // auto (from the GGUF) or a llama.cpp template name, e.g. chatml
  unsigned llm_slots = 4;          // sequences decoded in parallel
  std::size_t llm_context = 2048;  // tokens per sequence (prompt + answer)
  unsigned llm_threads = 0;        // 0: one per CPU core
  std::size_t llm_queue = 16;      // requests waiting for a slot; beyond it: 503
  std::chrono::milliseconds llm_timeout{60'000};
  double llm_temperature = 0.2;  // 0: greedy
  double llm_top_p = 0.95;
  std::uint32_t llm_seed = 0;  // 0: a random seed per request
  SourceCache llm_source_cache = SourceCache::kParallel;
  std::size_t llm_source_cache_tokens = 4096;  // KV cells kept for cached articles
  KvType llm_kv_type = KvType::kQ8_0;
  bool llm_mmap = false;  // map the model file instead of reading it
  std::string hf_endpoint = "https://huggingface.co";

  // Retrieval.
  RetrievalFusion retrieval_fusion = RetrievalFusion::kRrf;
  double dense_weight = 0.5;  // share of the dense score in weighted fusion
  DenseIndexKind dense_index = DenseIndexKind::kFlat;

  // Chat behaviour.
  std::size_t max_query_chars = 2000;
  double min_answer_score = 0.4;
  // The answer-confidence model (retrieval/answer_confidence.h); empty: the engine's own score.
  std::filesystem::path confidence_model = "data/confidence.json";
  // Topics outside IT and who handles them (rag/intents.h); empty: none.
  std::filesystem::path out_of_scope_file = "data/out-of-scope.txt";
  std::string support_contact =
      "the IT Service Desk (https://servicedesk.example.com, phone extension 4357)";
  QueryRewrite query_rewrite = QueryRewrite::kAuto;

  // Conversations, feedback and tickets (SQLite).
  std::filesystem::path database_path;  // empty: data_dir / "chatbot.sqlite3"
  std::chrono::minutes session_ttl{24 * 60};
  std::size_t session_max_messages = 50;
  std::size_t session_history_turns = 3;
  double escalation_min_score = 0.5;
  unsigned store_threads = 4;
  std::uint64_t max_database_mb = 0;     // 0: no ceiling on the database's size
  std::uint64_t min_free_disk_mb = 256;  // 0: writes go on until the disk is full
  std::string ticket_webhook_url;        // empty: no webhook
  std::string ticket_webhook_secret;
  std::chrono::milliseconds ticket_webhook_timeout{10'000};
  unsigned ticket_webhook_max_attempts = 12;

  // Identity and access.
  ChatAccess chat_access = ChatAccess::kOpen;
  std::string admin_api_key;                 // empty: no bootstrap admin key
  unsigned rate_limit_chat_per_minute = 30;  // per caller; 0: unlimited
  unsigned rate_limit_tickets_per_hour = 10;
  double rate_limit_desk_multiplier = 10;  // agents' and admins' quotas are this many times more
  std::string trusted_proxies;             // comma-separated addresses and CIDR ranges
  // Single sign-on: tokens of this OIDC provider (all of issuer, audience and one JWKS source,
  // or none of them).
  std::string oidc_issuer;
  std::string oidc_audience;
  std::string oidc_jwks_url;
  std::filesystem::path oidc_jwks_file;
  std::string oidc_roles_claim = "groups";
  std::vector<std::string> oidc_agent_groups;
  std::vector<std::string> oidc_admin_groups;
  std::chrono::seconds oidc_clock_skew{60};

  bool oidcEnabled() const { return !oidc_issuer.empty(); }
};

// Thrown when a setting has an invalid value; `what()` names the variable and says what is allowed.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The parts of the configuration, for grouping the generated documentation.
enum class Subsystem {
  kGeneral,
  kHttp,
  kKnowledgeBase,
  kRetrieval,
  kLlm,
  kChat,
  kConversations,
  kTickets,
  kAccess
};
// A heading such as "HTTP server".
std::string_view title(Subsystem subsystem);

// One declared setting. Built by the typed helpers in declare.h, so `apply` and `format` always
// read and write the same Config member, and `default_value` is `format(Config{})`.
struct Setting {
  std::string name;  // environment variable, e.g. "PORT"
  Subsystem subsystem = Subsystem::kGeneral;
  std::string description;  // one line of help for `.env.example` and the README
  std::string default_value;
  std::function<void(Config&, const std::string&)> apply;  // throws ConfigError on bad input
  std::function<std::string(const Config&)> format;        // the member's value as setting text
  // A credential (or a URL that usually carries one): its value is never shown, only whether it
  // is set (`chatbot config --show`, GET /admin/settings).
  bool secret = false;
};

// What one setting is now, for people: the value as text, masked for secrets.
struct SettingView {
  const Setting* setting = nullptr;  // points into settings(), which lives for the program
  std::string value;                 // as set; a set secret shows as kMaskedSecret
  bool is_default = false;
};
inline constexpr std::string_view kMaskedSecret = "********";

// Every setting's effective value in `config`, in declaration order, secrets masked.
std::vector<SettingView> describeSettings(const Config& config);

// Every setting, grouped by subsystem; names are unique.
const std::vector<Setting>& settings();

// Applies `value` to `config` under setting `name`. Throws ConfigError for an unknown name or a bad
// value.
void applySetting(Config& config, const std::string& name, const std::string& value);

// Parses a dotenv file: KEY=VALUE lines, `#` comments, optional `export `, single or double quotes.
// Throws ConfigError with the line number on a malformed line.
std::map<std::string, std::string> parseDotenv(const std::string& text, const std::string& origin);

struct LoadOptions {
  std::optional<std::filesystem::path> env_file;  // default: ./.env if it exists
  std::map<std::string, std::string> overrides;   // from CLI flags, keyed by variable name
};

// Builds the configuration from all sources. Collects every invalid setting and throws one
// ConfigError listing them all.
Config load(const LoadOptions& options);

// Bundled files (KB, synonyms, web assets) are named relative to the checkout. A relative `path`
// that does not exist under the working directory is looked up in the source tree the binary was
// built from, so `chatbot` works when started from any directory.
std::filesystem::path resolveBundledPath(const std::filesystem::path& path);

// The SQLite database file: DATABASE_PATH, or chatbot.sqlite3 in DATA_DIR.
std::filesystem::path databasePath(const Config& config);

// Text of `.env.example`, generated from `settings()`.
std::string envExample();

// The README's settings table (Markdown: Variable | Default | Meaning), generated from
// `settings()`.
std::string settingsTable();

}  // namespace chatbot::config
