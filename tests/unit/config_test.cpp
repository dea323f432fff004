#include "config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/value_parsing.h"
#include "util/text.h"

namespace chatbot::config {
namespace {

Config loadWith(std::map<std::string, std::string> overrides) {
  LoadOptions o;
  o.env_file = std::filesystem::path("/nonexistent-should-not-be-required");
  o.env_file.reset();
  o.overrides = std::move(overrides);
  return load(o);
}

TEST(Config, DefaultsMatchTheReference) {
  const Config c;
  EXPECT_EQ(c.api_v1_prefix, "/api/v1");
  EXPECT_EQ(c.project_name, "IT Support Chatbot");
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 8000);
  EXPECT_FALSE(c.debug);
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
}

TEST(Config, OverridesApplyAndValidate) {
  const Config c = loadWith({{"PORT", "9001"},
                             {"DEBUG", "yes"},
                             {"LOG_LEVEL", "WARNING"},
                             {"API_V1_PREFIX", "/api/v2/"},
                             {"CORS_ORIGINS", "https://a.example.com, https://b.example.com/"}});
  EXPECT_EQ(c.port, 9001);
  EXPECT_TRUE(c.debug);
  EXPECT_EQ(c.log_level, LogLevel::kWarning);
  EXPECT_EQ(c.api_v1_prefix, "/api/v2");
  ASSERT_EQ(c.cors_origins.size(), 2u);
  EXPECT_EQ(c.cors_origins[1], "https://b.example.com");
}

TEST(Config, InvalidValuesNameTheVariable) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"PORT", "70000"},
                                                        {"PORT", "abc"},
                                                        {"PORT", "80x"},
                                                        {"DEBUG", "maybe"},
                                                        {"LOG_LEVEL", "loud"},
                                                        {"API_V1_PREFIX", "api"},
                                                        {"CORS_ORIGINS", "portal.example.com"},
                                                        {"MIN_ANSWER_SCORE", "1.5"},
                                                        {"MAX_BODY_BYTES", "10"},
                                                        {"THREADS", "-1"},
                                                        {"PROJECT_NAME", "  "}}) {
    try {
      loadWith({{name, value}});
      ADD_FAILURE() << name << "=" << value << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

TEST(Config, AllErrorsAreReportedTogether) {
  try {
    loadWith({{"PORT", "x"}, {"DEBUG", "x"}});
    FAIL();
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("PORT"), std::string::npos);
    EXPECT_NE(m.find("DEBUG"), std::string::npos);
  }
}

TEST(Config, UnknownModelNamesAreAcceptedForLaterChecks) {
  const Config c =
      loadWith({{"LLM_MODEL_ID", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}, {"EMBEDDING_MODEL", ""}});
  EXPECT_EQ(c.llm_model_id, "TinyLlama/TinyLlama-1.1B-Chat-v1.0");
  EXPECT_EQ(c.embedding_model, "none");
}

TEST(Dotenv, ParsesQuotesCommentsAndExport) {
  const auto v = parseDotenv(
      "# comment\n\nexport PORT=9000\nPROJECT_NAME=\"Help Desk Bot\"  # "
      "trailing\nHOST='127.0.0.1'\n"
      "LOG_LEVEL=debug # inline\nEMPTY=\n",
      ".env");
  EXPECT_EQ(v.at("PORT"), "9000");
  EXPECT_EQ(v.at("PROJECT_NAME"), "Help Desk Bot");
  EXPECT_EQ(v.at("HOST"), "127.0.0.1");
  EXPECT_EQ(v.at("LOG_LEVEL"), "debug");
  EXPECT_EQ(v.at("EMPTY"), "");
}

TEST(Dotenv, MalformedLinesNameTheLine) {
  EXPECT_THROW(parseDotenv("PORT 9000\n", ".env"), ConfigError);
  try {
    parseDotenv("A=1\nB=\"unterminated\n", "x.env");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("x.env:2"), std::string::npos);
  }
}

TEST(Dotenv, EnvironmentWinsOverFileAndFlagsWinOverBoth) {
  const auto dir = std::filesystem::temp_directory_path() / "chatbot-config-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "test.env";
  std::ofstream(file) << "PORT=7000\nHOST=10.1.1.1\nPROJECT_NAME=FromFile\n";
  setenv("HOST", "127.0.0.2", 1);
  LoadOptions o;
  o.env_file = file;
  o.overrides = {{"PROJECT_NAME", "FromFlag"}};
  const Config c = load(o);
  unsetenv("HOST");
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.host, "127.0.0.2");
  EXPECT_EQ(c.project_name, "FromFlag");
  std::filesystem::remove_all(dir);
}

TEST(Config, EnvExampleDocumentsEverySetting) {
  const std::string example = envExample();
  for (const auto& s : settings())
    EXPECT_NE(example.find("\n" + s.name + "="), std::string::npos) << s.name;
}

std::string readSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CHATBOT_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Config, LoadWithoutSourcesGivesTheStructDefaults) {
  const Config loaded = loadWith({});
  const Config defaults;
  EXPECT_EQ(loaded.api_v1_prefix, defaults.api_v1_prefix);
  EXPECT_EQ(loaded.port, defaults.port);
  EXPECT_EQ(loaded.log_level, defaults.log_level);
  EXPECT_EQ(loaded.kb_dir, defaults.kb_dir);
  EXPECT_EQ(loaded.cors_origins, defaults.cors_origins);
  EXPECT_EQ(loaded.idle_timeout, defaults.idle_timeout);
  EXPECT_EQ(loaded.llm_temperature, defaults.llm_temperature);
  EXPECT_EQ(loaded.llm_source_cache, SourceCache::kParallel);
  EXPECT_EQ(loaded.llm_kv_type, KvType::kQ8_0);
  EXPECT_EQ(loaded.query_rewrite, QueryRewrite::kAuto);
  EXPECT_EQ(loaded.embedding_pooling, EmbeddingPooling::kAuto);
  EXPECT_EQ(loaded.retrieval_fusion, RetrievalFusion::kRrf);
  EXPECT_EQ(loaded.dense_index, DenseIndexKind::kFlat);
  EXPECT_EQ(loaded.session_ttl, defaults.session_ttl);
  EXPECT_EQ(loaded.database_path, defaults.database_path);
  for (const auto& s : settings()) EXPECT_EQ(s.format(loaded), s.format(defaults)) << s.name;
}

// The documented default is the struct's initialiser, and it passes its own validation: applying
// the text gives back the same value.
TEST(Config, EveryDefaultIsTheInitialiserAndParsesBackToItself) {
  const Config defaults;
  for (const auto& s : settings()) {
    EXPECT_EQ(s.default_value, s.format(defaults)) << s.name;
    Config config;
    ASSERT_NO_THROW(s.apply(config, s.default_value)) << s.name;
    EXPECT_EQ(s.format(config), s.default_value) << s.name;
  }
  EXPECT_NE(envExample().find("\nLLM_TEMPERATURE=0.2\n"), std::string::npos);
  EXPECT_NE(envExample().find("\nIDLE_TIMEOUT_MS=60000\n"), std::string::npos);
  EXPECT_NE(envExample().find("\nLLM_KV_TYPE=q8_0\n"), std::string::npos);
}

TEST(Config, EverySettingHasAUniqueNameHelpAndSubsystem) {
  std::set<std::string> names;
  std::set<Subsystem> subsystems;
  for (const auto& s : settings()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name << " is declared twice";
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_FALSE(title(s.subsystem).empty()) << s.name;
    subsystems.insert(s.subsystem);
  }
  EXPECT_GE(subsystems.size(), 7u);
  EXPECT_EQ(names.count("LLM_SOURCE_CACHE"), 1u);
}

TEST(Config, ChoiceSettingsAreParsedIntoEnumsAnyCase) {
  const Config c = loadWith({{"LLM_SOURCE_CACHE", " OFF "},
                             {"LLM_KV_TYPE", "F16"},
                             {"QUERY_REWRITE", "Rules"},
                             {"EMBEDDING_POOLING", "cls"},
                             {"RETRIEVAL_FUSION", "WEIGHTED"},
                             {"DENSE_INDEX", "hnsw"},
                             {"LOG_LEVEL", "fatal"}});
  EXPECT_EQ(c.llm_source_cache, SourceCache::kOff);
  EXPECT_EQ(c.llm_kv_type, KvType::kF16);
  EXPECT_EQ(c.query_rewrite, QueryRewrite::kRules);
  EXPECT_EQ(c.embedding_pooling, EmbeddingPooling::kCls);
  EXPECT_EQ(c.retrieval_fusion, RetrievalFusion::kWeighted);
  EXPECT_EQ(c.dense_index, DenseIndexKind::kHnsw);
  EXPECT_EQ(c.log_level, LogLevel::kCritical);
  EXPECT_EQ(loadWith({{"EMBEDDING_POOLING", "Mean"}}).embedding_pooling, EmbeddingPooling::kMean);
  EXPECT_EQ(loadWith({{"EMBEDDING_POOLING", "last"}}).embedding_pooling, EmbeddingPooling::kLast);
  EXPECT_EQ(loadWith({{"LOG_LEVEL", "warn"}}).log_level, LogLevel::kWarning);
  EXPECT_EQ(loadWith({{"LOG_LEVEL", "None"}}).log_level, LogLevel::kOff);
}

// Every spelling in the enum's table is lower case (input is lower-cased before matching) and
// parses to its value, and that value's canonical name parses back to it.
template <typename E>
void expectEveryNameRoundTrips(E) {
  for (const auto& choice : choiceNames(E{})) {
    EXPECT_EQ(util::asciiLower(choice.name), choice.name);
    EXPECT_EQ(parse::choice<E>("X", std::string(choice.name)), choice.value) << choice.name;
    EXPECT_EQ(parse::choice<E>("X", std::string(toString(choice.value))), choice.value);
  }
}

TEST(Config, EveryChoiceNameIsAcceptedAndEveryValueHasACanonicalName) {
  const std::vector<std::pair<std::string, std::string>> names = {{"LOG_LEVEL", "trace"},
                                                                  {"LOG_LEVEL", "debug"},
                                                                  {"LOG_LEVEL", "info"},
                                                                  {"LOG_LEVEL", "warning"},
                                                                  {"LOG_LEVEL", "error"},
                                                                  {"LOG_LEVEL", "critical"},
                                                                  {"LOG_LEVEL", "off"},
                                                                  {"LLM_SOURCE_CACHE", "parallel"},
                                                                  {"LLM_SOURCE_CACHE", "off"},
                                                                  {"LLM_KV_TYPE", "q8_0"},
                                                                  {"LLM_KV_TYPE", "f16"},
                                                                  {"QUERY_REWRITE", "auto"},
                                                                  {"QUERY_REWRITE", "rules"},
                                                                  {"EMBEDDING_POOLING", "auto"},
                                                                  {"EMBEDDING_POOLING", "mean"},
                                                                  {"EMBEDDING_POOLING", "cls"},
                                                                  {"EMBEDDING_POOLING", "last"},
                                                                  {"RETRIEVAL_FUSION", "rrf"},
                                                                  {"RETRIEVAL_FUSION", "weighted"},
                                                                  {"DENSE_INDEX", "flat"},
                                                                  {"DENSE_INDEX", "hnsw"}};
  for (const auto& [name, value] : names) {
    Config config;
    applySetting(config, name, value);
    const auto& setting = *std::find_if(settings().begin(), settings().end(),
                                        [&](const Setting& s) { return s.name == name; });
    EXPECT_EQ(setting.format(config), value) << name;  // the canonical name comes back
  }
  expectEveryNameRoundTrips(LogLevel{});
  expectEveryNameRoundTrips(SourceCache{});
  expectEveryNameRoundTrips(KvType{});
  expectEveryNameRoundTrips(QueryRewrite{});
  expectEveryNameRoundTrips(EmbeddingPooling{});
  expectEveryNameRoundTrips(RetrievalFusion{});
  expectEveryNameRoundTrips(DenseIndexKind{});
}

TEST(Config, BadChoiceNamesTheVariableAndListsTheChoices) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"LLM_SOURCE_CACHE", "one of parallel, off"},
      {"LLM_KV_TYPE", "one of q8_0, f16"},
      {"QUERY_REWRITE", "one of auto, rules"},
      {"EMBEDDING_POOLING", "one of auto, mean, cls, last"},
      {"RETRIEVAL_FUSION", "one of rrf, weighted"},
      {"DENSE_INDEX", "one of flat, hnsw"},
      {"LOG_LEVEL", "one of trace, debug, info, warning, error, critical, off"}};
  for (const auto& [name, expected] : cases) {
    try {
      loadWith({{name, "bogus"}});
      ADD_FAILURE() << name << "=bogus was accepted";
    } catch (const ConfigError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(name + "='bogus' is invalid: expected " + expected), std::string::npos) << m;
    }
  }
}

TEST(Config, ScalarSpellingsAreAccepted) {
  for (const auto& [text, value] : std::vector<std::pair<std::string, bool>>{{"1", true},
                                                                             {"ON", true},
                                                                             {" yes ", true},
                                                                             {"True", true},
                                                                             {"0", false},
                                                                             {"off", false},
                                                                             {"No", false},
                                                                             {"", false}}) {
    EXPECT_EQ(loadWith({{"LLM_MMAP", text}}).llm_mmap, value) << text;
  }
  const Config c = loadWith({{"PORT", " 8080 "},
                             {"IDLE_TIMEOUT_MS", "1500"},
                             {"SESSION_TTL_MINUTES", "90"},
                             {"DENSE_WEIGHT", "0.25"},
                             {"TICKET_WEBHOOK_SECRET", " s3cret "}});
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.idle_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.session_ttl, std::chrono::minutes(90));
  EXPECT_DOUBLE_EQ(c.dense_weight, 0.25);
  EXPECT_EQ(c.ticket_webhook_secret, " s3cret ");  // secrets are kept byte for byte
}

TEST(Config, WebhookUrlMustBeHttp) {
  try {
    loadWith({{"TICKET_WEBHOOK_URL", "ftp://tickets"}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "TICKET_WEBHOOK_URL must start with http:// or https://; got 'ftp://tickets'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(loadWith({{"TICKET_WEBHOOK_URL", " https://t.example.com/hook "}}).ticket_webhook_url,
            "https://t.example.com/hook");
}

TEST(Config, UnknownSettingIsRejectedByApplySetting) {
  Config config;
  EXPECT_THROW(applySetting(config, "NO_SUCH_SETTING", "1"), ConfigError);
}

TEST(Config, DescribeSettingsShowsEffectiveValuesAndNeverASecret) {
  const std::string key = "bootstrap-admin-key-0123456789abcdef0123";
  const Config config = loadWith({{"PORT", "8123"},
                                  {"ADMIN_API_KEY", key},
                                  {"TICKET_WEBHOOK_URL", "https://hooks.example.com/T0/B0/token"}});
  const auto views = describeSettings(config);
  ASSERT_EQ(views.size(), settings().size());
  std::map<std::string, SettingView> by_name;
  for (const auto& v : views) by_name[v.setting->name] = v;
  EXPECT_EQ(by_name["PORT"].value, "8123");
  EXPECT_FALSE(by_name["PORT"].is_default);
  EXPECT_EQ(by_name["HOST"].value, "0.0.0.0");
  EXPECT_TRUE(by_name["HOST"].is_default);
  EXPECT_EQ(by_name["ADMIN_API_KEY"].value, kMaskedSecret);
  EXPECT_FALSE(by_name["ADMIN_API_KEY"].is_default);
  EXPECT_EQ(by_name["TICKET_WEBHOOK_URL"].value, kMaskedSecret);
  // An unset secret shows as empty, so "not configured" stays visible.
  EXPECT_EQ(by_name["TICKET_WEBHOOK_SECRET"].value, "");
  EXPECT_TRUE(by_name["TICKET_WEBHOOK_SECRET"].is_default);
  for (const auto& v : views) {
    EXPECT_EQ(v.value.find("token"), std::string::npos) << v.setting->name;
    EXPECT_EQ(v.value.find(key), std::string::npos) << v.setting->name;
  }
}

TEST(Config, SettingsTableHasOneRowPerSetting) {
  const std::string table = settingsTable();
  EXPECT_EQ(table.rfind("| Variable | Default | Meaning |\n|---|---|---|\n", 0), 0u);
  for (const auto& s : settings()) {
    EXPECT_NE(table.find("\n| `" + s.name + "` | "), std::string::npos) << s.name;
  }
  EXPECT_NE(table.find("| `CORS_ORIGINS` | (empty) | "), std::string::npos);
  EXPECT_NE(table.find("| `PORT` | `8000` | "), std::string::npos);
}

TEST(Config, ReadmeSettingsTableIsCurrent) {
  const std::string readme = readSourceFile("README.md");
  const std::string begin = "<!-- settings-table:begin -->\n";
  const std::string end = "<!-- settings-table:end -->";
  const std::size_t from = readme.find(begin);
  const std::size_t to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md lacks the line " << begin;
  ASSERT_NE(to, std::string::npos) << "README.md lacks the line " << end;
  ASSERT_LT(from, to);
  const std::string committed = readme.substr(from + begin.size(), to - from - begin.size());
  EXPECT_EQ(committed, settingsTable())
      << "README.md's settings table differs from the settings declared in src/config/settings.cpp."
         "\nReplace the lines between the markers with the output of "
         "`build/chatbot config --settings-table`:\n\n"
      << settingsTable();
}

TEST(Config, CommittedEnvExampleIsCurrent) {
  std::ifstream in(std::string(CHATBOT_SOURCE_DIR) + "/.env.example");
  ASSERT_TRUE(in)
      << ".env.example is missing; generate it with `chatbot config --env-example > .env.example`";
  const std::string committed((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  EXPECT_EQ(committed, envExample())
      << "regenerate with `build/chatbot config --env-example > .env.example`";
}

}  // namespace
}  // namespace chatbot::config
