#include "config/config.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <sstream>

#include "util/file.h"
#include "util/text.h"

namespace chatbot::config {

std::string_view toString(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
    case LogLevel::kCritical: return "critical";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& value, const std::string& expected) {
  throw ConfigError(name + "='" + value + "' is invalid: expected " + expected);
}

long long parseInteger(const std::string& name, const std::string& value, long long min, long long max) {
  const std::string_view text = util::trim(value);
  long long result = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), result);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || result < min || result > max) {
    fail(name, value, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return result;
}

double parseDouble(const std::string& name, const std::string& value, double min, double max) {
  const std::string text(util::trim(value));
  char* end = nullptr;
  errno = 0;
  const double result = std::strtod(text.c_str(), &end);
  if (text.empty() || errno != 0 || end != text.c_str() + text.size() || !(result >= min && result <= max)) {
    fail(name, value, "a number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return result;
}

bool parseBool(const std::string& name, const std::string& value) {
  const std::string v = util::asciiLower(util::trim(value));
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  fail(name, value, "true or false (also 1/0, yes/no, on/off)");
}

LogLevel parseLogLevel(const std::string& name, const std::string& value) {
  const std::string v = util::asciiLower(util::trim(value));
  if (v == "trace") return LogLevel::kTrace;
  if (v == "debug") return LogLevel::kDebug;
  if (v == "info") return LogLevel::kInfo;
  if (v == "warning" || v == "warn") return LogLevel::kWarning;
  if (v == "error") return LogLevel::kError;
  if (v == "critical" || v == "fatal") return LogLevel::kCritical;
  if (v == "off" || v == "none") return LogLevel::kOff;
  fail(name, value, "one of trace, debug, info, warning, error, critical, off");
}

std::string parsePrefix(const std::string& name, const std::string& value) {
  std::string v(util::trim(value));
  while (v.size() > 1 && v.back() == '/') v.pop_back();
  if (v.empty() || v.front() != '/' || v == "/" || v.find_first_of(" ?#{}\\") != std::string::npos) {
    fail(name, value, "a path starting with '/', such as /api/v1");
  }
  return v;
}

std::vector<std::string> parseOrigins(const std::string& name, const std::string& value) {
  std::vector<std::string> origins;
  for (const auto part : util::split(value, ',')) {
    std::string origin(util::trim(part));
    if (origin.empty()) continue;
    while (origin.size() > 1 && origin.back() == '/') origin.pop_back();
    const bool scheme = origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
    if (origin != "*" && (!scheme || origin.find_first_of(" /", origin.find("//") + 2) != std::string::npos)) {
      fail(name, value, "a comma-separated list of origins like https://portal.example.com, or *");
    }
    origins.push_back(std::move(origin));
  }
  return origins;
}

std::string nonEmpty(const std::string& name, const std::string& value) {
  std::string v(util::trim(value));
  if (v.empty()) fail(name, value, "a non-empty value");
  return v;
}

std::chrono::milliseconds parseMillis(const std::string& name, const std::string& value, long long min,
                                      long long max) {
  return std::chrono::milliseconds(parseInteger(name, value, min, max));
}

std::string modelId(const std::string& value) {
  std::string v(util::trim(value));
  return v.empty() ? "none" : v;
}

std::string oneOf(const std::string& name, const std::string& value, std::initializer_list<std::string_view> allowed) {
  const std::string v = util::asciiLower(util::trim(value));
  std::string list;
  for (const auto a : allowed) {
    if (v == a) return v;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  fail(name, value, "one of " + list);
}

std::vector<Setting> buildSettings() {
  const Config d;
  std::vector<Setting> s;
  auto add = [&](std::string name, std::string description, std::string def,
                 std::function<void(Config&, const std::string&)> apply) {
    s.push_back({std::move(name), std::move(description), std::move(def), std::move(apply)});
  };
  add("API_V1_PREFIX", "Path prefix of the versioned API", d.api_v1_prefix,
      [](Config& c, const std::string& v) { c.api_v1_prefix = parsePrefix("API_V1_PREFIX", v); });
  add("PROJECT_NAME", "Name shown by GET / and in the API docs", d.project_name,
      [](Config& c, const std::string& v) { c.project_name = nonEmpty("PROJECT_NAME", v); });
  add("DEBUG", "Verbose logs (never exposes internals to clients)", "false",
      [](Config& c, const std::string& v) { c.debug = parseBool("DEBUG", v); });
  add("HOST", "Address to listen on", d.host,
      [](Config& c, const std::string& v) { c.host = nonEmpty("HOST", v); });
  add("PORT", "TCP port to listen on (0 picks a free one)", std::to_string(d.port),
      [](Config& c, const std::string& v) { c.port = static_cast<std::uint16_t>(parseInteger("PORT", v, 0, 65535)); });
  add("LOG_LEVEL", "trace, debug, info, warning, error, critical or off", "info",
      [](Config& c, const std::string& v) { c.log_level = parseLogLevel("LOG_LEVEL", v); });
  add("LLM_MODEL_ID", "Chat model for generated answers; 'none' uses the extractive generator", d.llm_model_id,
      [](Config& c, const std::string& v) { c.llm_model_id = modelId(v); });
  add("EMBEDDING_MODEL", "Embedding model for dense retrieval; 'none' keeps retrieval lexical", d.embedding_model,
      [](Config& c, const std::string& v) { c.embedding_model = modelId(v); });
  add("MODELS_DIR", "Where `chatbot models pull` stores GGUF files and aliases are looked up", d.models_dir.string(),
      [](Config& c, const std::string& v) { c.models_dir = nonEmpty("MODELS_DIR", v); });
  add("EMBEDDING_POOLING", "auto (from the model's metadata), mean, cls or last", d.embedding_pooling,
      [](Config& c, const std::string& v) {
        c.embedding_pooling = oneOf("EMBEDDING_POOLING", v, {"auto", "mean", "cls", "last"});
      });
  add("LLM_CHAT_TEMPLATE", "auto (the GGUF's own) or a named template such as chatml, llama2, zephyr",
      d.llm_chat_template,
      [](Config& c, const std::string& v) { c.llm_chat_template = nonEmpty("LLM_CHAT_TEMPLATE", v); });
  add("LLM_SLOTS", "Answers generated in parallel (continuous batching)", std::to_string(d.llm_slots),
      [](Config& c, const std::string& v) { c.llm_slots = static_cast<unsigned>(parseInteger("LLM_SLOTS", v, 1, 64)); });
  add("LLM_CONTEXT", "Context tokens per answer (prompt + generated)", std::to_string(d.llm_context),
      [](Config& c, const std::string& v) { c.llm_context = parseInteger("LLM_CONTEXT", v, 256, 131'072); });
  add("LLM_THREADS", "CPU threads for model inference; 0 means one per core", "0",
      [](Config& c, const std::string& v) {
        c.llm_threads = static_cast<unsigned>(parseInteger("LLM_THREADS", v, 0, 256));
      });
  add("LLM_QUEUE", "Requests that may wait for a free slot; more get 503 + Retry-After", std::to_string(d.llm_queue),
      [](Config& c, const std::string& v) { c.llm_queue = parseInteger("LLM_QUEUE", v, 0, 10'000); });
  add("LLM_TIMEOUT_MS", "Deadline for a generated answer; past it the extractive answer is returned", "60000",
      [](Config& c, const std::string& v) { c.llm_timeout = parseMillis("LLM_TIMEOUT_MS", v, 100, 3'600'000); });
  add("LLM_TEMPERATURE", "Sampling temperature; 0 is greedy (deterministic)", "0.2",
      [](Config& c, const std::string& v) { c.llm_temperature = parseDouble("LLM_TEMPERATURE", v, 0.0, 2.0); });
  add("LLM_TOP_P", "Nucleus sampling threshold", "0.95",
      [](Config& c, const std::string& v) { c.llm_top_p = parseDouble("LLM_TOP_P", v, 0.01, 1.0); });
  add("LLM_SEED", "Sampling seed; 0 picks a random one per request", "0",
      [](Config& c, const std::string& v) {
        c.llm_seed = static_cast<std::uint32_t>(parseInteger("LLM_SEED", v, 0, 4'294'967'295LL));
      });
  add("LLM_SOURCE_CACHE",
      "parallel: reuse each article's KV cache across requests (fast first token; articles do not attend to each "
      "other); off: evaluate the whole prompt per request (exact)",
      d.llm_source_cache,
      [](Config& c, const std::string& v) { c.llm_source_cache = oneOf("LLM_SOURCE_CACHE", v, {"parallel", "off"}); });
  add("LLM_SOURCE_CACHE_TOKENS", "KV-cache cells kept for cached articles (least recently used are dropped)",
      std::to_string(d.llm_source_cache_tokens),
      [](Config& c, const std::string& v) {
        c.llm_source_cache_tokens = parseInteger("LLM_SOURCE_CACHE_TOKENS", v, 0, 1'000'000);
      });
  add("LLM_KV_TYPE", "KV-cache element type: q8_0 (half the memory, near-identical output) or f16", d.llm_kv_type,
      [](Config& c, const std::string& v) { c.llm_kv_type = oneOf("LLM_KV_TYPE", v, {"q8_0", "f16"}); });
  add("LLM_MMAP",
      "Map the model file instead of reading it: shares pages between processes, but repacked weights are then held "
      "twice",
      "false", [](Config& c, const std::string& v) { c.llm_mmap = parseBool("LLM_MMAP", v); });
  add("HF_ENDPOINT", "Hugging Face endpoint used by `chatbot models pull` (a mirror works too)", d.hf_endpoint,
      [](Config& c, const std::string& v) { c.hf_endpoint = nonEmpty("HF_ENDPOINT", v); });
  add("RETRIEVAL_FUSION", "How lexical and dense results are fused: rrf (reciprocal rank) or weighted",
      d.retrieval_fusion,
      [](Config& c, const std::string& v) { c.retrieval_fusion = oneOf("RETRIEVAL_FUSION", v, {"rrf", "weighted"}); });
  add("DENSE_WEIGHT", "Weight of the dense score in weighted fusion (lexical gets the rest)", "0.5",
      [](Config& c, const std::string& v) { c.dense_weight = parseDouble("DENSE_WEIGHT", v, 0.0, 1.0); });
  add("DENSE_INDEX", "FAISS index: flat (exact) or hnsw (approximate, for large KBs)", d.dense_index,
      [](Config& c, const std::string& v) { c.dense_index = oneOf("DENSE_INDEX", v, {"flat", "hnsw"}); });
  add("KB_DIR", "Knowledge-base folder (Markdown, JSONL or CSV files)", d.kb_dir.string(),
      [](Config& c, const std::string& v) { c.kb_dir = nonEmpty("KB_DIR", v); });
  add("DATA_DIR", "Where the search index and article store are written", d.data_dir.string(),
      [](Config& c, const std::string& v) { c.data_dir = nonEmpty("DATA_DIR", v); });
  add("SYNONYMS_FILE", "IT synonym groups used by search ('' disables them)", d.synonyms_file.string(),
      [](Config& c, const std::string& v) { c.synonyms_file = std::string(util::trim(v)); });
  add("WEB_DIR", "Folder with swagger-ui-dist, served at /docs", d.web_dir.string(),
      [](Config& c, const std::string& v) { c.web_dir = nonEmpty("WEB_DIR", v); });
  add("CORS_ORIGINS", "Comma-separated allowed browser origins; '*' allows any; empty disables CORS", "",
      [](Config& c, const std::string& v) { c.cors_origins = parseOrigins("CORS_ORIGINS", v); });
  add("THREADS", "HTTP worker threads; 0 means one per CPU core", "0",
      [](Config& c, const std::string& v) { c.threads = static_cast<unsigned>(parseInteger("THREADS", v, 0, 256)); });
  add("MAX_BODY_BYTES", "Largest accepted request body in bytes (larger: 413)", std::to_string(d.max_body_bytes),
      [](Config& c, const std::string& v) { c.max_body_bytes = parseInteger("MAX_BODY_BYTES", v, 1024, 16 << 20); });
  add("MAX_CONNECTIONS", "Concurrent connections; further ones wait in the accept queue",
      std::to_string(d.max_connections),
      [](Config& c, const std::string& v) { c.max_connections = parseInteger("MAX_CONNECTIONS", v, 1, 1'000'000); });
  add("HEADER_TIMEOUT_MS", "Time allowed to receive a request's headers and body", "10000",
      [](Config& c, const std::string& v) { c.header_timeout = parseMillis("HEADER_TIMEOUT_MS", v, 100, 600'000); });
  add("IDLE_TIMEOUT_MS", "Idle keep-alive connections are closed after this long", "60000",
      [](Config& c, const std::string& v) { c.idle_timeout = parseMillis("IDLE_TIMEOUT_MS", v, 100, 3'600'000); });
  add("SHUTDOWN_GRACE_MS", "On SIGINT/SIGTERM, how long in-flight requests may take to finish", "10000",
      [](Config& c, const std::string& v) { c.shutdown_grace = parseMillis("SHUTDOWN_GRACE_MS", v, 0, 600'000); });
  add("MAX_QUERY_CHARS", "Longest accepted query, in characters (Unicode code points)", "2000",
      [](Config& c, const std::string& v) { c.max_query_chars = parseInteger("MAX_QUERY_CHARS", v, 10, 100'000); });
  add("MIN_ANSWER_SCORE", "Retrieval score (0-1) below which the bot says the KB has no answer", "0.35",
      [](Config& c, const std::string& v) { c.min_answer_score = parseDouble("MIN_ANSWER_SCORE", v, 0.0, 1.0); });
  add("SUPPORT_CONTACT", "How users reach a human, quoted when the KB has no answer", d.support_contact,
      [](Config& c, const std::string& v) { c.support_contact = nonEmpty("SUPPORT_CONTACT", v); });
  add("QUERY_REWRITE", "How follow-up questions become standalone queries: auto (the LLM when loaded, else rules) or rules",
      d.query_rewrite, [](Config& c, const std::string& v) { c.query_rewrite = oneOf("QUERY_REWRITE", v, {"auto", "rules"}); });

  // Conversations, feedback and tickets.
  add("DATABASE_PATH", "SQLite file for conversations, feedback and tickets ('' : DATA_DIR/chatbot.sqlite3)", "",
      [](Config& c, const std::string& v) { c.database_path = std::string(util::trim(v)); });
  add("SESSION_TTL_MINUTES", "A conversation is forgotten this long after its last message", "1440",
      [](Config& c, const std::string& v) {
        c.session_ttl = std::chrono::minutes(parseInteger("SESSION_TTL_MINUTES", v, 1, 525'600));
      });
  add("SESSION_MAX_MESSAGES", "Messages kept per conversation (older ones are dropped)", "50",
      [](Config& c, const std::string& v) {
        c.session_max_messages = static_cast<std::size_t>(parseInteger("SESSION_MAX_MESSAGES", v, 1, 10'000));
      });
  add("SESSION_HISTORY_TURNS", "Earlier exchanges used to understand a follow-up question", "3",
      [](Config& c, const std::string& v) {
        c.session_history_turns = static_cast<std::size_t>(parseInteger("SESSION_HISTORY_TURNS", v, 0, 20));
      });
  add("ESCALATION_MIN_SCORE", "Best retrieval score (0-1) below which a reply offers a ticket", "0.5",
      [](Config& c, const std::string& v) { c.escalation_min_score = parseDouble("ESCALATION_MIN_SCORE", v, 0.0, 1.0); });
  add("STORE_THREADS", "Threads for database work (kept off the HTTP threads)", "4", [](Config& c, const std::string& v) {
    c.store_threads = static_cast<unsigned>(parseInteger("STORE_THREADS", v, 1, 64));
  });
  add("TICKET_WEBHOOK_URL", "POST every ticket change to this URL (e.g. your ticket system); '' disables it", "",
      [](Config& c, const std::string& v) {
        const std::string url(util::trim(v));
        if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
          throw ConfigError("TICKET_WEBHOOK_URL must start with http:// or https://; got '" + url + "'");
        }
        c.ticket_webhook_url = url;
      });
  add("TICKET_WEBHOOK_SECRET", "Key for the X-Chatbot-Signature HMAC-SHA256 header of webhook calls ('' : unsigned)", "",
      [](Config& c, const std::string& v) { c.ticket_webhook_secret = v; });
  add("TICKET_WEBHOOK_TIMEOUT_MS", "Time limit of one webhook call", "10000", [](Config& c, const std::string& v) {
    c.ticket_webhook_timeout = parseMillis("TICKET_WEBHOOK_TIMEOUT_MS", v, 100, 600'000);
  });
  add("TICKET_WEBHOOK_MAX_ATTEMPTS", "Attempts per webhook event before it is marked failed (backoff up to 10 min)",
      "12", [](Config& c, const std::string& v) {
        c.ticket_webhook_max_attempts = static_cast<unsigned>(parseInteger("TICKET_WEBHOOK_MAX_ATTEMPTS", v, 1, 1000));
      });
  return s;
}

std::string unquote(std::string_view raw, const std::string& where) {
  raw = util::trim(raw);
  if (raw.empty()) return {};
  const char q = raw.front();
  if (q == '"' || q == '\'') {
    const std::size_t close = raw.find(q, 1);
    if (close == std::string_view::npos) throw ConfigError(where + ": unterminated quote");
    const std::string_view rest = util::trim(raw.substr(close + 1));
    if (!rest.empty() && rest.front() != '#') throw ConfigError(where + ": text after closing quote");
    std::string value(raw.substr(1, close - 1));
    if (q == '"') {  // the common escapes inside double quotes
      std::string out;
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
          const char n = value[++i];
          out.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n);
        } else {
          out.push_back(value[i]);
        }
      }
      return out;
    }
    return value;
  }
  const std::size_t hash = raw.find(" #");
  return std::string(util::trim(raw.substr(0, hash)));
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = buildSettings();
  return kSettings;
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

std::map<std::string, std::string> parseDotenv(const std::string& text, const std::string& origin) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view view = util::trim(line);
    if (view.empty() || view.front() == '#') continue;
    if (view.rfind("export ", 0) == 0) view = util::trim(view.substr(7));
    const std::size_t eq = view.find('=');
    const std::string where = origin + ":" + std::to_string(number);
    if (eq == std::string_view::npos) throw ConfigError(where + ": expected KEY=VALUE");
    const std::string key(util::trim(view.substr(0, eq)));
    if (key.empty() || key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                            std::string::npos) {
      throw ConfigError(where + ": invalid variable name '" + key + "'");
    }
    values[key] = unquote(view.substr(eq + 1), where);
  }
  return values;
}

Config load(const LoadOptions& options) {
  std::map<std::string, std::string> values;
  const std::filesystem::path env_file = options.env_file.value_or(".env");
  std::error_code ec;
  if (std::filesystem::exists(env_file, ec)) {
    std::string text;
    try {
      text = util::readFile(env_file);
    } catch (const std::runtime_error& e) {
      throw ConfigError(e.what());
    }
    values = parseDotenv(text, env_file.string());
  } else if (options.env_file) {
    throw ConfigError("env file " + env_file.string() + " does not exist");
  }
  // Real environment variables win over the .env file, as with python-dotenv and pydantic-settings.
  for (const auto& s : settings()) {
    if (const char* v = std::getenv(s.name.c_str())) values[s.name] = v;
  }
  for (const auto& [k, v] : options.overrides) values[k] = v;

  Config config;
  std::string errors;
  for (const auto& s : settings()) {
    const auto it = values.find(s.name);
    if (it == values.end()) continue;
    try {
      s.apply(config, it->second);
    } catch (const ConfigError& e) {
      errors += std::string("\n  - ") + e.what();
    }
  }
  if (!errors.empty()) throw ConfigError("invalid configuration:" + errors);
  return config;
}

std::filesystem::path resolveBundledPath(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.empty() || path.is_absolute() || std::filesystem::exists(path, ec)) return path;
  const auto bundled = std::filesystem::path(CHATBOT_SOURCE_DIR) / path;
  return std::filesystem::exists(bundled, ec) ? bundled : path;
}

std::filesystem::path databasePath(const Config& config) {
  return config.database_path.empty() ? config.data_dir / "chatbot.sqlite3" : config.database_path;
}

std::string envExample() {
  std::string out =
      "# chatbot configuration. Copy to .env and edit; real environment variables and CLI flags win\n"
      "# over this file. Generated from src/config/config.cpp (`chatbot config --env-example`).\n";
  for (const auto& s : settings()) {
    out += "\n# " + s.description + "\n";
    const bool quote = s.default_value.find_first_of(" #,()") != std::string::npos;
    out += s.name + "=" + (quote ? "\"" + s.default_value + "\"" : s.default_value) + "\n";
  }
  return out;
}

}  // namespace chatbot::config
