// The real server with a real llama.cpp chat model (../shared/models/stories260K.gguf: it writes
// children's stories, so these tests check the mechanics of generation, never answer quality).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <future>
#include <vector>

#include "integration/server_process.h"
#include "test_models.h"

namespace chatbot::testing {
namespace {

using json = nlohmann::json;

Env llmEnv(Env extra = {}) {
  Env env{{"LLM_MODEL_ID", testModel("stories260K.gguf").string()},
          {"LLM_CHAT_TEMPLATE", "chatml"},
          {"LLM_TEMPERATURE", "0"},
          {"LLM_CONTEXT", "512"},
          {"LLM_THREADS", "1"},  // tests run in parallel on small machines: no spinning thread pools
          {"LLM_SLOTS", "2"}};
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

TEST(LlmServer, AnswersWithTheModelAndReportsItInHealth) {
  ServerProcess server(llmEnv());
  auto client = server.client();
  const auto res = client.postJson("/api/v1/chat/", R"({"query":"How do I reset my password?","max_tokens":50})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto body = json::parse(res.body());
  EXPECT_EQ(body["generator"], "stories260K.gguf");
  EXPECT_FALSE(body["response"].get<std::string>().empty());
  EXPECT_FALSE(body["search_results"].empty());

  const auto health = json::parse(client.get("/health").body());
  EXPECT_EQ(health["status"], "ok") << health.dump();
  const auto& generator = health["components"]["generator"];
  EXPECT_EQ(generator["kind"], "llama.cpp");
  EXPECT_EQ(generator["model"], "stories260K.gguf");
  EXPECT_EQ(generator["context"], 512);
  EXPECT_EQ(generator["slots"], 2);
  EXPECT_EQ(generator["slots_busy"], 0);
  EXPECT_EQ(generator["queue_depth"], 0);
  const auto chat_health = json::parse(client.get("/api/v1/chat/health").body());
  EXPECT_EQ(chat_health["generation"]["slots"], 2);
  EXPECT_EQ(chat_health["model"], "stories260K.gguf");
}

TEST(LlmServer, SameGreedyAnswerConcurrentlyAndAlone) {
  ServerProcess server(llmEnv());
  const std::vector<std::string> queries = {"printer offline", "vpn will not connect", "outlook password prompt",
                                            "wifi keeps dropping"};
  const auto ask = [&](const std::string& q) {
    auto client = server.client();
    const auto res = client.postJson("/api/v1/chat/", json{{"query", q}, {"max_tokens", 50}}.dump());
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return json::parse(res.body())["response"].get<std::string>();
  };
  std::vector<std::string> alone;
  for (const auto& q : queries) alone.push_back(ask(q));
  std::vector<std::future<std::string>> together;
  for (const auto& q : queries) together.push_back(std::async(std::launch::async, ask, q));
  for (std::size_t i = 0; i < queries.size(); ++i) EXPECT_EQ(together[i].get(), alone[i]) << queries[i];
}

TEST(LlmServer, DeadlineFallsBackToTheExtractiveAnswer) {
  ServerProcess server(llmEnv({{"LLM_TIMEOUT_MS", "100"}, {"LLM_CONTEXT", "1024"}}));
  auto client = server.client();
  const auto res = client.postJson("/api/v1/chat/", R"({"query":"How do I reset my password on a Mac?","max_tokens":500})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto body = json::parse(res.body());
  EXPECT_EQ(body["generator"], "extractive");
  bool warned = false;
  for (const auto& w : body["warnings"]) warned = warned || w.get<std::string>().find("too long") != std::string::npos;
  EXPECT_TRUE(warned) << body.dump();
}

TEST(LlmServer, MissingModelServesTheEmbeddedDefaultAndSaysHowToFixIt) {
  ServerProcess server(Env{{"LLM_MODEL_ID", "/nonexistent/model.gguf"}});
  auto client = server.client();
  const auto health = json::parse(client.get("/health").body());
  EXPECT_EQ(health["status"], "degraded");
  const auto reason = health["components"]["generator"]["reason"].get<std::string>();
  EXPECT_NE(reason.find("/nonexistent/model.gguf"), std::string::npos) << reason;
  EXPECT_NE(reason.find("chatbot models"), std::string::npos) << reason;
  const auto res = client.postJson("/api/v1/chat/", R"({"query":"printer offline"})");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(json::parse(res.body())["generator"], "extractive");
}

TEST(LlmServer, Llama2VocabularyModelServes) {
  ServerProcess server(Env{{"LLM_MODEL_ID", testModel("llama-2-tiny-random.gguf").string()},
                           {"LLM_CHAT_TEMPLATE", "llama2"},
                           {"LLM_THREADS", "1"},
                           {"LLM_CONTEXT", "1024"}});
  auto client = server.client();
  const auto res = client.postJson("/api/v1/chat/", R"({"query":"My laptop screen stays black after the update — que faire ?","max_tokens":50})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(json::parse(res.body())["generator"], "llama-2-tiny-random.gguf");
}

}  // namespace
}  // namespace chatbot::testing
