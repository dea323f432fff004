// Hybrid retrieval end to end: the real `chatbot serve`, `ingest` and `eval` with an embedding
// model (stories260K with mean pooling: it exercises the code path, not retrieval quality).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server_process.h"
#include "test_models.h"

namespace chatbot::testing {
namespace {

using nlohmann::json;

const std::string kKb = std::string(CHATBOT_REPO_DIR) + "/tests/data/it_kb.jsonl";
const std::string kQueries = std::string(CHATBOT_REPO_DIR) + "/tests/data/it_queries.jsonl";

Env denseEnv() {
  return {{"EMBEDDING_MODEL", testModel("stories260K.gguf").string()},
          {"EMBEDDING_POOLING", "mean"},
          {"LLM_THREADS", "1"},
          {"SYNONYMS_FILE", std::string(CHATBOT_REPO_DIR) + "/data/synonyms.txt"}};
}

TEST(DenseServe, AnswersChatWithHybridRetrieval) {
  Env env = denseEnv();
  env["KB_DIR"] = kKb;
  ServerProcess server(env);
  auto client = server.client();
  for (const std::string query :
       {"my printer is offline", "VPN will not connect", "wifi keeps dropping"}) {
    const auto res = client.postJson("/api/v1/chat/", json{{"query", query}, {"top_k", 3}}.dump());
    ASSERT_EQ(res.result_int(), 200) << res.body();
    const auto body = json::parse(res.body());
    EXPECT_FALSE(body["response"].get<std::string>().empty());
    ASSERT_FALSE(body["search_results"].empty()) << query;
    double previous = 1.0;
    for (const auto& r : body["search_results"]) {
      const double score = r["score"].get<double>();
      EXPECT_GE(score, 0.0);
      EXPECT_LE(score, previous);
      previous = score;
    }
  }
  EXPECT_EQ(json::parse(client.get("/health").body())["models_loaded"], true);
  const auto details = json::parse(client.get("/api/v1/chat/health").body())["details"];
  EXPECT_EQ(details["embeddings_loaded"], true) << details;
  const std::string log = server.log();
  EXPECT_NE(log.find("\"event\":\"retrieval.dense_ready\""), std::string::npos) << log;
  EXPECT_NE(log.find("hybrid-rrf(xapian-bm25+faiss-flat)"), std::string::npos) << log;
  EXPECT_EQ(log.find("retrieval.dense_unavailable"), std::string::npos) << log;
}

TEST(DenseServe, AMissingModelKeepsServingLexically) {
  Env env = denseEnv();
  env["KB_DIR"] = kKb;
  env["EMBEDDING_MODEL"] = "no-such-embedding-model";
  ServerProcess server(env);
  const auto res =
      server.client().postJson("/api/v1/chat/", R"({"query": "my printer is offline"})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_FALSE(json::parse(res.body())["search_results"].empty());
  EXPECT_EQ(json::parse(server.client().get("/health").body())["models_loaded"], false);
  const auto details = json::parse(server.client().get("/api/v1/chat/health").body())["details"];
  EXPECT_EQ(details["embeddings_loaded"], false) << details;
  const std::string log = server.log();
  EXPECT_NE(log.find("retrieval.dense_unavailable"), std::string::npos) << log;
  EXPECT_NE(log.find("EMBEDDING_MODEL=none"), std::string::npos) << log;
}

TEST(DenseCli, IngestBuildsTheDenseIndexOnceAndEvalReportsThreeRows) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("chatbot-dense-cli-" + std::to_string(::getpid()));
  Env env = denseEnv();
  env["KB_DIR"] = kKb;
  env["DATA_DIR"] = (dir / "data").string();
  const auto first = runChatbot({"ingest"}, env);
  ASSERT_EQ(first.first, 0) << first.second;
  EXPECT_NE(first.second.find("embedded 8 articles"), std::string::npos) << first.second;
  const auto second = runChatbot({"ingest"}, env);
  ASSERT_EQ(second.first, 0) << second.second;
  EXPECT_NE(second.second.find("dense index is up to date"), std::string::npos) << second.second;

  const auto text = runChatbot({"eval", "--kb", kKb, "--queries", kQueries}, env);
  ASSERT_EQ(text.first, 0) << text.second;
  for (const char* row : {"\nlexical ", "\ndense ", "\nhybrid "}) {
    EXPECT_NE(text.second.find(row), std::string::npos) << row << "\n" << text.second;
  }
  const auto js = runChatbot({"eval", "--kb", kKb, "--queries", kQueries, "--json"}, env);
  ASSERT_EQ(js.first, 0) << js.second;
  const auto report = json::parse(js.second.substr(js.second.find('{')));
  ASSERT_EQ(report["runs"].size(), 3u);
  EXPECT_EQ(report["runs"][0]["run"], "lexical");
  EXPECT_EQ(report["runs"][1]["run"], "dense");
  EXPECT_EQ(report["runs"][2]["run"], "hybrid");
  for (const auto& run : report["runs"]) {
    EXPECT_EQ(run["queries"], 4);
    for (const char* k : {"hit_at_1", "hit_at_5", "mrr_at_10", "ndcg_at_10"}) {
      EXPECT_GE(run[k].get<double>(), 0.0);
      EXPECT_LE(run[k].get<double>(), 1.0);
    }
  }

  env["EMBEDDING_MODEL"] = "none";
  const auto lexical_only = runChatbot({"eval", "--kb", kKb, "--queries", kQueries}, env);
  ASSERT_EQ(lexical_only.first, 0) << lexical_only.second;
  EXPECT_EQ(lexical_only.second.find("\nhybrid "), std::string::npos) << lexical_only.second;
  EXPECT_NE(lexical_only.second.find("set EMBEDDING_MODEL"), std::string::npos)
      << lexical_only.second;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chatbot::testing
