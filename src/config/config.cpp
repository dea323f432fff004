// Loading: the dotenv file, the environment and CLI overrides, applied through the declared
// settings; and the paths derived from the configuration.
#include "config/config.h"

#include <cstdlib>
#include <sstream>

#include "util/file.h"
#include "util/text.h"

namespace chatbot::config {

namespace {

std::string unquote(std::string_view raw, const std::string& where) {
  raw = util::trim(raw);
  if (raw.empty()) return {};
  const char q = raw.front();
  if (q == '"' || q == '\'') {
    const std::size_t close = raw.find(q, 1);
    if (close == std::string_view::npos) throw ConfigError(where + ": unterminated quote");
    const std::string_view rest = util::trim(raw.substr(close + 1));
    if (!rest.empty() && rest.front() != '#') {
      throw ConfigError(where + ": text after closing quote");
    }
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
    if (key.empty() ||
        key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
            std::string::npos) {
      std::string message = where + ": invalid variable name '";
      message += key;
      throw ConfigError(message + "'");
    }
    values[key] = unquote(view.substr(eq + 1), where);
  }
  return values;
}

namespace {

// Settings that only make sense together; each problem as "\n  - ..." (empty: none).
std::string crossCheck(const Config& config) {
  const bool any_oidc = !config.oidc_issuer.empty() || !config.oidc_audience.empty() ||
                        !config.oidc_jwks_url.empty() || !config.oidc_jwks_file.empty();
  if (!any_oidc) return {};
  std::string problems;
  if (config.oidc_issuer.empty() || config.oidc_audience.empty()) {
    problems += "\n  - OIDC_ISSUER and OIDC_AUDIENCE are both needed for single sign-on";
  }
  if (config.oidc_jwks_url.empty() == config.oidc_jwks_file.empty()) {
    problems += "\n  - single sign-on needs exactly one of OIDC_JWKS_URL and OIDC_JWKS_FILE";
  }
  return problems;
}

}  // namespace

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
  errors += crossCheck(config);
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

}  // namespace chatbot::config
