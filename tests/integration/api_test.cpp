// End-to-end tests of the HTTP API against the real `chatbot serve` process.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "server_process.h"

namespace chatbot::testing {
namespace {

using nlohmann::json;

class Api : public SharedServerTest {
 protected:
  // Asserts the error format and returns the body.
  json expectError(const Response& res, unsigned status) {
    EXPECT_EQ(res.result_int(), status) << res.body();
    EXPECT_EQ(res[http::field::content_type], "application/json");
    const auto body = json::parse(res.body());
    EXPECT_TRUE(body["error"].is_string());
    EXPECT_TRUE(body["detail"].is_string());
    EXPECT_FALSE(body["detail"].get<std::string>().empty());
    EXPECT_TRUE(std::regex_match(body["timestamp"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)")));
    return body;
  }
};

TEST_F(Api, RootDescribesTheService) {
  const auto res = client_.get("/");
  ASSERT_EQ(res.result_int(), 200);
  const auto body = json::parse(res.body());
  EXPECT_EQ(body["name"], "IT Support Chatbot");
  EXPECT_EQ(body["docs"], "/docs");
  EXPECT_EQ(body["health"], "/health");
  EXPECT_TRUE(body["version"].is_string());
  EXPECT_TRUE(body["status"].is_string());
}

TEST_F(Api, HealthReportsEveryComponent) {
  const auto res = client_.get("/health");
  ASSERT_EQ(res.result_int(), 200);
  const auto body = json::parse(res.body());
  EXPECT_EQ(body["status"], "ok");
  EXPECT_GT(body["uptime_seconds"].get<double>(), 0.0);
  const auto& c = body["components"];
  EXPECT_EQ(c["knowledge_base"]["status"], "ok");
  EXPECT_GE(c["knowledge_base"]["articles"].get<int>(), 150);
  EXPECT_TRUE(c["knowledge_base"]["index"].is_string());
  EXPECT_EQ(c["retriever"]["kind"], "xapian-bm25");
  EXPECT_EQ(c["generator"]["kind"], "extractive");
  EXPECT_EQ(c["generator"]["model"], "none");
  // The reference API's fields beside ours: no model is configured, so all that is is loaded.
  EXPECT_EQ(body["models_loaded"], true);
  const auto chat = client_.get("/api/v1/chat/health");
  ASSERT_EQ(chat.result_int(), 200);
  const auto chat_body = json::parse(chat.body());
  EXPECT_EQ(chat_body["status"], "healthy");
  EXPECT_EQ(chat_body["details"],
            (json{{"embeddings_loaded", false}, {"database_loaded", true}, {"llm_loaded", false}}));
  EXPECT_EQ(chat_body["ready"], true);
  EXPECT_EQ(chat_body["state"], "ready");
  EXPECT_GE(chat_body["articles"].get<int>(), 150);
}

TEST_F(Api, ChatAnswersAnItQuestionInTheReferenceShape) {
  const auto res =
      client_.send(http::verb::post, "/api/v1/chat/",
                   R"({"query":"How do I reset my password on my MacBook Air?","top_k":3})",
                   {{"Content-Type", "application/json"}, {"X-Request-ID", "it-test-42"}});
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res["X-Request-ID"], "it-test-42");
  const auto body = json::parse(res.body());
  for (const char* key : {"response", "query", "context_used", "search_results", "processing_time",
                          "timestamp", "request_id", "generator", "warnings"}) {
    EXPECT_TRUE(body.contains(key)) << key;
  }
  EXPECT_EQ(body["query"], "How do I reset my password on my MacBook Air?");
  EXPECT_EQ(body["request_id"], "it-test-42");
  EXPECT_EQ(body["generator"], "extractive");
  EXPECT_TRUE(body["answered"].get<bool>());
  EXPECT_NE(body["response"].get<std::string>().find("FileVault"), std::string::npos)
      << body["response"];
  // The reference's shape: at most 500 characters of the article, then "..."; the whole article
  // is in search_results.
  const std::string context = body["context_used"];
  EXPECT_EQ(context.rfind("Reset a forgotten password on a Mac", 0), 0u) << context;
  EXPECT_LE(context.size() - 3, 500u) << "ASCII here: bytes are characters";
  EXPECT_EQ(context.substr(context.size() - 3), "...");
  EXPECT_GT(body["search_results"][0]["answer"].get<std::string>().size(), 1000u);
  EXPECT_TRUE(body["processing_time"].is_number());
  EXPECT_TRUE(std::regex_match(body["timestamp"].get<std::string>(), std::regex(R"(.+T.+Z)")));
  const auto& results = body["search_results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["metadata"]["id"], "acc-mac-password-reset");
  for (const auto& r : results) {
    EXPECT_TRUE(r["subject"].is_string());
    EXPECT_TRUE(r["answer"].is_string());
    EXPECT_GE(r["score"].get<double>(), 0.0);
    EXPECT_LE(r["score"].get<double>(), 1.0);
    EXPECT_TRUE(r["metadata"].is_object());
  }
}

// The reference web client sends max_tokens 150 and ignores warnings: the answer itself says
// that the procedure goes on, and where.
TEST_F(Api, ALongProcedureEndsWithWhereTheRestIs) {
  const auto res = client_.postJson(
      "/api/v1/chat/",
      R"({"query":"How do I reset my password on my MacBook Air?","max_tokens":150})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  const auto body = json::parse(res.body());
  const std::string response = body["response"];
  EXPECT_EQ(response.rfind("1. At the login window", 0), 0u) << response;
  EXPECT_NE(response.find("\n6. Sign in with the new password.\n\nStep 7 and more: see [1]."),
            std::string::npos)
      << response;
  ASSERT_EQ(body["sources"].size(), 1u);
  EXPECT_EQ(body["sources"][0]["n"], 1);
  EXPECT_EQ(body["sources"][0]["article_id"], "acc-mac-password-reset");
  const auto& warnings = body["warnings"];
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const json& w) {
    return w.get<std::string>().find("shortened") != std::string::npos;
  })) << warnings;
  // With room for all of it, the whole article and no warning.
  const auto whole = json::parse(
      client_
          .postJson("/api/v1/chat/",
                    R"({"query":"How do I reset my password on my MacBook Air?","max_tokens":500})")
          .body());
  EXPECT_EQ(whole["response"].get<std::string>().find("see [1]"), std::string::npos);
  EXPECT_NE(whole["response"].get<std::string>().find("7. When macOS says"), std::string::npos);
  EXPECT_TRUE(whole["warnings"].empty()) << whole["warnings"];
}

TEST_F(Api, ChatWithoutTrailingSlashAndWithDefaults) {
  const auto res = client_.postJson("/api/v1/chat", R"({"query":"VPN keeps disconnecting"})");
  ASSERT_EQ(res.result_int(), 200);
  const auto body = json::parse(res.body());
  EXPECT_EQ(body["search_results"].size(), 4u);
  EXPECT_EQ(body["search_results"][0]["metadata"]["id"], "net-vpn-keeps-disconnecting");
}

TEST_F(Api, MaxTokensBoundsTheAnswer) {
  const auto res =
      client_.postJson("/api/v1/chat/", R"({"query":"printer is offline","max_tokens":50})");
  ASSERT_EQ(res.result_int(), 200);
  const auto text = json::parse(res.body())["response"].get<std::string>();
  std::size_t tokens = 0;
  bool word = false;
  for (const unsigned char c : text) {
    const bool w = std::isalnum(c) || c >= 0x80;
    if (w && !word) ++tokens;
    if (!w && !std::isspace(c)) ++tokens;
    word = w;
  }
  EXPECT_LE(tokens, 50u) << text;
}

TEST_F(Api, OffTopicQuestionsGetAPlainNoAnswer) {
  const auto res =
      client_.postJson("/api/v1/chat/", R"({"query":"What is a good recipe for chocolate cake?"})");
  ASSERT_EQ(res.result_int(), 200);
  const auto body = json::parse(res.body());
  EXPECT_FALSE(body["answered"].get<bool>());
  EXPECT_NE(body["response"].get<std::string>().find("couldn't find an answer"), std::string::npos);
  EXPECT_EQ(body["context_used"], "");
}

TEST_F(Api, CredentialsAreRedactedNeverEchoedAndNeverLogged) {
  const std::string secret = "Tr0ub4dor&3xyz";
  const auto res = client_.postJson(
      "/api/v1/chat/",
      json{{"query", "my VPN password is " + secret + " and it won't connect"}}.dump());
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body().find(secret), std::string::npos);
  const auto body = json::parse(res.body());
  EXPECT_NE(body["query"].get<std::string>().find("[REDACTED]"), std::string::npos);
  ASSERT_FALSE(body["warnings"].empty());
  EXPECT_NE(body["warnings"][0].get<std::string>().find("Never share"), std::string::npos);
  const auto key = client_.postJson("/api/v1/chat/",
                                    R"({"query":"is AKIAIOSFODNN7EXAMPLE a valid key for S3?"})");
  EXPECT_EQ(key.body().find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1500));  // the async logger flushes every second
  const std::string log = server_->log();
  EXPECT_NE(log.find("http.request"), std::string::npos);
  EXPECT_EQ(log.find(secret), std::string::npos);
  EXPECT_NE(log.find("\"redacted\":[\"password\"]"), std::string::npos)
      << "the kind is audited, not the value";
  EXPECT_EQ(log.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
}

TEST_F(Api, ValidationErrorsAre400) {
  const std::string long_query = std::string(2001, 'a');
  for (const std::string& body :
       {std::string("{not json"), std::string("[]"), std::string("{}"),
        std::string(R"({"query":""})"), std::string(R"({"query":"   "})"),
        std::string(R"({"query":42})"), std::string(R"({"query":null})"),
        json{{"query", long_query}}.dump(), std::string(R"({"query":"x","top_k":0})"),
        std::string(R"({"query":"x","top_k":21})"), std::string(R"({"query":"x","top_k":"5"})"),
        std::string(R"({"query":"x","max_tokens":49})"),
        std::string(R"({"query":"x","max_tokens":501})"),
        std::string(R"({"query":"x","max_tokens":100.5})"), std::string("{\"query\":\"\xff\xfe\"}"),
        std::string("")}) {
    expectError(client_.postJson("/api/v1/chat/", body), 400);
  }
  std::string multibyte;
  for (int i = 0; i < 2000; ++i) multibyte += "\xC3\xA9";
  EXPECT_EQ(client_.postJson("/api/v1/chat/", json{{"query", multibyte}}.dump()).result_int(), 200);
}

TEST_F(Api, WrongContentTypeIs415) {
  expectError(client_.send(http::verb::post, "/api/v1/chat/", R"({"query":"x"})",
                           {{"Content-Type", "text/plain"}}),
              415);
  expectError(client_.send(http::verb::post, "/api/v1/chat/", R"({"query":"x"})", {}), 415);
}

TEST_F(Api, OversizedBodyIs413) {
  const std::string huge = json{{"query", std::string(200 * 1024, 'a')}}.dump();
  const std::string reply =
      HttpClient::raw(server_->port(),
                      "POST /api/v1/chat/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                          std::to_string(huge.size()) + "\r\n\r\n" + huge);
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("\"error\":\"payload_too_large\""), std::string::npos);
}

TEST_F(Api, UnknownPathsAre404AndWrongMethodsAre405) {
  expectError(client_.get("/nope"), 404);
  expectError(client_.get("/api/v1/chat/extra/segment"), 404);
  const auto res = client_.get("/api/v1/chat/");
  expectError(res, 405);
  EXPECT_EQ(res[http::field::allow], "POST");
  expectError(client_.send(http::verb::delete_, "/health", "", {}), 405);
}

TEST_F(Api, MalformedHttpIs400) {
  const std::string reply = HttpClient::raw(server_->port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

TEST_F(Api, RequestIdsAndSecurityHeadersOnEveryReply) {
  for (const auto& res :
       {client_.get("/"), client_.get("/missing"), client_.postJson("/api/v1/chat/", "{")}) {
    EXPECT_EQ(res["X-Request-ID"].size(), 36u);
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(res["X-Frame-Options"], "DENY");
    EXPECT_FALSE(res["Content-Security-Policy"].empty());
    EXPECT_EQ(res["Referrer-Policy"], "no-referrer");
  }
  // A client id with characters unsafe for logs is replaced, not echoed.
  const auto res = client_.send(http::verb::get, "/", "", {{"X-Request-ID", "bad id <script>"}});
  EXPECT_NE(res["X-Request-ID"], "bad id <script>");
}

TEST_F(Api, HeadServesGetRoutesWithoutABody) {
  const auto res = client_.send(http::verb::head, "/health", "", {});
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_TRUE(res.body().empty());
  EXPECT_NE(res[http::field::content_length], "0");
}

TEST_F(Api, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 20; ++i) {
    const auto res = client_.postJson("/api/v1/chat/", R"({"query":"outlook not syncing"})");
    ASSERT_EQ(res.result_int(), 200);
    ASSERT_TRUE(res.keep_alive());
  }
}

TEST_F(Api, ConcurrentClientsAllSucceed) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server_->port());
      for (int i = 0; i < 25; ++i) {
        const auto res = c.postJson(
            "/api/v1/chat/",
            json{{"query", "wifi problem number " + std::to_string(t * 100 + i)}}.dump());
        if (res.result_int() == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST_F(Api, DocsServeSwaggerUiFromLocalFiles) {
  const auto page = client_.get("/docs");
  ASSERT_EQ(page.result_int(), 200);
  EXPECT_NE(page[http::field::content_type].find("text/html"), std::string::npos);
  EXPECT_NE(page.body().find("/docs/swagger-ui-bundle.js"), std::string::npos);
  EXPECT_EQ(page.body().find("http"), page.body().find("http-equiv")) << "no external (CDN) URLs";
  for (const char* asset :
       {"/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"}) {
    const auto res = client_.get(asset);
    EXPECT_EQ(res.result_int(), 200) << asset;
    EXPECT_GT(res.body().size(), 50u) << asset;
  }
  expectError(client_.get("/docs/../../etc/passwd"), 404);
  const auto spec = client_.get("/openapi.json");
  ASSERT_EQ(spec.result_int(), 200);
  const auto doc = json::parse(spec.body());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  EXPECT_TRUE(doc["paths"].contains("/api/v1/chat/"));
}

}  // namespace
}  // namespace chatbot::testing
