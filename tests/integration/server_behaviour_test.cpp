// Server behaviour that needs its own process: CORS settings, start-up failures, model settings,
// shutdown, and the CLI subcommands.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.h"

namespace chatbot::testing {
namespace {

using nlohmann::json;

TEST(Cors, AllowedOriginsOnlyAndPreflight) {
  ServerProcess server(Env{{"CORS_ORIGINS", "https://portal.example.com"}});
  auto client = server.client();
  const auto pre = client.send(http::verb::options, "/api/v1/chat/", "",
                               {{"Origin", "https://portal.example.com"},
                                {"Access-Control-Request-Method", "POST"},
                                {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(pre.result_int(), 204);
  EXPECT_EQ(pre[http::field::access_control_allow_origin], "https://portal.example.com");
  EXPECT_NE(pre[http::field::access_control_allow_methods].find("POST"), std::string::npos);
  EXPECT_NE(pre[http::field::access_control_allow_headers].find("Content-Type"), std::string::npos);

  const auto denied = client.send(
      http::verb::options, "/api/v1/chat/", "",
      {{"Origin", "https://evil.example.net"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(denied.result_int(), 403);
  EXPECT_TRUE(denied[http::field::access_control_allow_origin].empty());

  const auto simple =
      client.send(http::verb::get, "/health", "", {{"Origin", "https://portal.example.com"}});
  EXPECT_EQ(simple[http::field::access_control_allow_origin], "https://portal.example.com");
  EXPECT_EQ(simple[http::field::vary], "Origin");
  const auto other =
      client.send(http::verb::get, "/health", "", {{"Origin", "https://evil.example.net"}});
  EXPECT_TRUE(other[http::field::access_control_allow_origin].empty());
}

TEST(Cors, WildcardOnlyWhenConfigured) {
  ServerProcess open(Env{{"CORS_ORIGINS", "*"}});
  auto c1 = open.client();
  EXPECT_EQ(
      c1.send(http::verb::get, "/", "",
              {{"Origin", "https://any.example.org"}})[http::field::access_control_allow_origin],
      "*");
  ServerProcess closed;
  auto c2 = closed.client();
  EXPECT_TRUE(
      c2.send(http::verb::get, "/", "",
              {{"Origin", "https://any.example.org"}})[http::field::access_control_allow_origin]
          .empty());
}

TEST(Startup, UnavailableModelStillServesTheEmbeddedDefault) {
  ServerProcess server(Env{{"LLM_MODEL_ID", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"},
                           {"EMBEDDING_MODEL", "sentence-transformers/all-MiniLM-L6-v2"}});
  auto client = server.client();
  const auto health = client.get("/health");
  ASSERT_EQ(health.result_int(), 200);
  const auto body = json::parse(health.body());
  EXPECT_EQ(body["status"], "degraded");
  EXPECT_EQ(body["components"]["generator"]["status"], "degraded");
  EXPECT_NE(body["components"]["generator"]["reason"].get<std::string>().find("TinyLlama"),
            std::string::npos);
  EXPECT_EQ(body["components"]["retriever"]["status"], "degraded");
  EXPECT_EQ(body["models_loaded"], false);
  const auto chat = client.postJson("/api/v1/chat/", R"({"query":"wifi keeps dropping"})");
  ASSERT_EQ(chat.result_int(), 200);
  EXPECT_EQ(json::parse(chat.body())["generator"], "extractive");
}

TEST(Startup, MissingKnowledgeBaseMeansUnavailableNot500) {
  ServerProcess server(Env{{"KB_DIR", "/nonexistent/kb"}}, /*wait_ready=*/false);
  auto client = server.client();
  json health;
  for (int i = 0; i < 100; ++i) {  // the background indexer fails within milliseconds
    const auto res = client.get("/health");
    EXPECT_EQ(res.result_int(), 503);
    health = json::parse(res.body());
    if (health["components"]["knowledge_base"]["status"] == "unavailable") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(health["status"], "unavailable");
  EXPECT_NE(health["components"]["knowledge_base"]["reason"].get<std::string>().find("KB_DIR"),
            std::string::npos);
  const auto chat = client.postJson("/api/v1/chat/", R"({"query":"vpn"})");
  EXPECT_EQ(chat.result_int(), 503);
  EXPECT_FALSE(chat[http::field::retry_after].empty());
  EXPECT_EQ(json::parse(chat.body())["error"], "service_unavailable");
  EXPECT_EQ(health["models_loaded"], false);
  const auto chat_health = client.get("/api/v1/chat/health");
  EXPECT_EQ(chat_health.result_int(), 503);
  const auto chat_body = json::parse(chat_health.body());
  EXPECT_EQ(chat_body["status"], "unhealthy");
  EXPECT_EQ(chat_body["state"], "unavailable");
  EXPECT_EQ(chat_body["ready"], false);
  EXPECT_EQ(chat_body["details"]["database_loaded"], false);
  EXPECT_NE(chat_body["detail"].get<std::string>().find("KB_DIR"), std::string::npos);
}

TEST(Startup, InvalidConfigurationStopsWithAClearMessage) {
  const auto [code, output] = runChatbot({"serve"}, {{"PORT", "99999"}, {"LOG_LEVEL", "chatty"}});
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("PORT"), std::string::npos) << output;
  EXPECT_NE(output.find("LOG_LEVEL"), std::string::npos) << output;
}

TEST(Startup, PortInUseIsReported) {
  ServerProcess first;
  const auto [code, output] =
      runChatbot({"serve", "--host", "127.0.0.1", "--port", std::to_string(first.port())},
                 {{"KB_DIR", std::string(CHATBOT_REPO_DIR) + "/data/kb"}});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("PORT"), std::string::npos) << output;
}

TEST(Shutdown, SigtermFinishesPromptlyEvenWithIdleKeepAliveConnections) {
  ServerProcess server(Env{{"SHUTDOWN_GRACE_MS", "10000"}});
  auto idle = server.client();
  ASSERT_EQ(idle.get("/health").result_int(), 200);  // leaves an idle keep-alive connection open
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_NE(server.log().find("http.stopped"), std::string::npos);
}

TEST(Shutdown, InFlightRequestsCompleteDuringDrain) {
  ServerProcess server;
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      try {
        HttpClient c(server.port());
        for (int i = 0; i < 200; ++i) {
          const auto res = c.postJson("/api/v1/chat/", R"({"query":"printer offline"})");
          if (res.result_int() != 200) ADD_FAILURE() << res.result_int();
          ++ok;
        }
      } catch (const std::exception&) {
        ++refused;  // connection closed or refused after shutdown: expected, never a broken reply
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(server.stop(), 0);
  for (auto& c : clients) c.join();
  EXPECT_GT(ok.load(), 0);
}

TEST(Cli, IngestReportsBadArticlesAndExitsNonZero) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("chatbot-cli-kb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "kb");
  std::ofstream(dir / "kb" / "good.md")
      << "---\nid: good\nsubject: Printer offline\n---\n1. Restart it.";
  std::ofstream(dir / "kb" / "bad.md") << "---\nsubject: no id\n---\nbody";
  const std::map<std::string, std::string> env = {{"DATA_DIR", (dir / "data").string()}};
  auto [code, output] = runChatbot({"ingest", "--kb", (dir / "kb").string()}, env);
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("bad.md"), std::string::npos) << output;
  std::tie(code, output) =
      runChatbot({"ingest", "--kb", (dir / "kb").string(), "--allow-problems"}, env);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("1 articles"), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

TEST(Cli, AskPrintsTheAnswerAndItsSources) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("chatbot-cli-ask-" + std::to_string(::getpid()));
  const auto [code, output] =
      runChatbot({"ask", "how do I connect to the VPN?", "--top-k", "2"},
                 {{"KB_DIR", std::string(CHATBOT_REPO_DIR) + "/data/kb"},
                  {"SYNONYMS_FILE", std::string(CHATBOT_REPO_DIR) + "/data/synonyms.txt"},
                  {"DATA_DIR", dir.string()}});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("Sources:"), std::string::npos);
  EXPECT_NE(output.find("[1] net-vpn-"), std::string::npos) << output;
  const auto bad = runChatbot({"ask", "   "}, {{"DATA_DIR", dir.string()}});
  EXPECT_EQ(bad.first, 2);
  std::filesystem::remove_all(dir);
}

TEST(Cli, EvalPrintsRetrievalMetrics) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("chatbot-cli-eval-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "kb.jsonl")
      << R"({"id":"p1","subject":"Printer is offline","answer":"Restart the printer."})"
         "\n"
      << R"({"id":"v1","subject":"VPN will not connect","answer":"Check the gateway."})"
         "\n"
      << R"({"id":"w1","subject":"Wi-Fi keeps dropping","answer":"Forget the network."})"
         "\n";
  std::ofstream(dir / "q.jsonl")
      << R"({"id":"q1","query":"my printer shows offline","relevant":["p1"]})"
         "\n"
      << R"({"id":"q2","query":"cannot connect to vpn","relevant":["v1"]})"
         "\n"
      << R"({"id":"q3","query":"wireless disconnects","relevant":["w1"]})"
         "\n";
  const auto [code, output] =
      runChatbot({"eval", "--kb", (dir / "kb.jsonl").string(), "--queries",
                  (dir / "q.jsonl").string(), "--json"},
                 {{"SYNONYMS_FILE", std::string(CHATBOT_REPO_DIR) + "/data/synonyms.txt"}});
  ASSERT_EQ(code, 0) << output;
  const auto metrics = json::parse(output.substr(output.find('{')));
  EXPECT_EQ(metrics["queries"], 3);
  EXPECT_DOUBLE_EQ(metrics["hit_at_1"].get<double>(), 1.0);
  for (const char* k : {"hit_at_5", "mrr_at_10", "ndcg_at_10", "p50_ms", "p95_ms"})
    EXPECT_TRUE(metrics.contains(k)) << k;
  std::filesystem::remove_all(dir);
}

// The bundled KB at the reference client's max_tokens: nothing cut without a pointer (exit 0), in
// the extractive answer even when a chat model is configured.
TEST(Cli, EvalAnswersFindsNoAnswerCutOnTheBundledKb) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("chatbot-cli-eval-answers-" + std::to_string(::getpid()));
  const std::map<std::string, std::string> env = {
      {"KB_DIR", std::string(CHATBOT_REPO_DIR) + "/data/kb"},
      {"SYNONYMS_FILE", std::string(CHATBOT_REPO_DIR) + "/data/synonyms.txt"},
      {"DATA_DIR", dir.string()},
      {"LLM_MODEL_ID", "/nonexistent/model.gguf"}};
  const auto [code, output] = runChatbot({"eval-answers", "--json"}, env);
  ASSERT_EQ(code, 0) << output;
  const auto report = json::parse(output.substr(output.find('{')));
  EXPECT_EQ(report["max_tokens"], 150);
  const auto articles = report["articles"].get<int>();
  EXPECT_GE(articles, 150);
  const auto& by_article = report["by_article"];
  EXPECT_EQ(by_article["cut"], 0);
  EXPECT_EQ(by_article["complete"].get<int>() + by_article["shortened_with_pointer"].get<int>(),
            articles);
  EXPECT_EQ(report["by_question"]["cut"], 0);
  EXPECT_GE(report["questions"].get<int>(), 2 * articles);
  EXPECT_TRUE(report["failures"].empty());
  const auto [wide_code, table] = runChatbot({"eval-answers", "--max-tokens", "500"}, env);
  EXPECT_EQ(wide_code, 0) << table;
  EXPECT_NE(table.find("at max_tokens 500"), std::string::npos) << table;
  EXPECT_NE(table.find("each article's answer"), std::string::npos) << table;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chatbot::testing
