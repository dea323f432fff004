#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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
  const Config c = loadWith({{"PORT", "9001"}, {"DEBUG", "yes"}, {"LOG_LEVEL", "WARNING"},
                             {"API_V1_PREFIX", "/api/v2/"}, {"CORS_ORIGINS", "https://a.example.com, https://b.example.com/"}});
  EXPECT_EQ(c.port, 9001);
  EXPECT_TRUE(c.debug);
  EXPECT_EQ(c.log_level, LogLevel::kWarning);
  EXPECT_EQ(c.api_v1_prefix, "/api/v2");
  ASSERT_EQ(c.cors_origins.size(), 2u);
  EXPECT_EQ(c.cors_origins[1], "https://b.example.com");
}

TEST(Config, InvalidValuesNameTheVariable) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"PORT", "70000"}, {"PORT", "abc"}, {"PORT", "80x"}, {"DEBUG", "maybe"}, {"LOG_LEVEL", "loud"},
           {"API_V1_PREFIX", "api"}, {"CORS_ORIGINS", "portal.example.com"}, {"MIN_ANSWER_SCORE", "1.5"},
           {"MAX_BODY_BYTES", "10"}, {"THREADS", "-1"}, {"PROJECT_NAME", "  "}}) {
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
  const Config c = loadWith({{"LLM_MODEL_ID", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"}, {"EMBEDDING_MODEL", ""}});
  EXPECT_EQ(c.llm_model_id, "TinyLlama/TinyLlama-1.1B-Chat-v1.0");
  EXPECT_EQ(c.embedding_model, "none");
}

TEST(Dotenv, ParsesQuotesCommentsAndExport) {
  const auto v = parseDotenv(
      "# comment\n\nexport PORT=9000\nPROJECT_NAME=\"Help Desk Bot\"  # trailing\nHOST='127.0.0.1'\n"
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
  for (const auto& s : settings()) EXPECT_NE(example.find("\n" + s.name + "="), std::string::npos) << s.name;
}

TEST(Config, CommittedEnvExampleIsCurrent) {
  std::ifstream in(std::string(CHATBOT_SOURCE_DIR) + "/.env.example");
  ASSERT_TRUE(in) << ".env.example is missing; generate it with `chatbot config --env-example > .env.example`";
  const std::string committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(committed, envExample()) << "regenerate with `build/chatbot config --env-example > .env.example`";
}

}  // namespace
}  // namespace chatbot::config
