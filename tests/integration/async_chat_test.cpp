// The asynchronous chat path, in-process: a real http::Server and api::Application over a
// ChatService that answers on its own pipeline threads (asynchronous, with the extractive
// generator), so /chat is deferred and completed from those threads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/application.h"
#include "chat_stream_checks.h"
#include "ingest/knowledge_index.h"
#include "rag/extractive_generator.h"
#include "server_process.h"

namespace chatbot::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class AsyncChat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("chatbot-async-test-" + std::to_string(::getpid()));
    ingest::IndexOptions o;
    o.kb_path = std::string(CHATBOT_REPO_DIR) + "/data/kb";
    o.data_dir = dir_;
    o.synonyms_file = std::string(CHATBOT_REPO_DIR) + "/data/synonyms.txt";
    std::shared_ptr<const ingest::KnowledgeIndex> index = ingest::KnowledgeIndex::open(o);
    config::Config config;
    service_ = std::make_shared<rag::ChatService>(rag::ChatServiceParts{
        .index = index,
        .generator =
            std::make_shared<rag::ExtractiveGenerator>(config.support_contact, &index->articles()),
        .filter = std::make_shared<security::CredentialFilter>(),
        .min_answer_score = config.min_answer_score,
        .pipeline_threads = 2});
    config.rate_limit_chat_per_minute = 0;  // many requests from one address, on purpose
    app_ = new api::Application(config);
    app_->setReady(service_);
    chatbot::http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = new chatbot::http::Server(options, *app_);
    runner_ = std::thread([] { server_->run(); });
  }
  static void TearDownTestSuite() {
    server_->stop();
    runner_.join();
    delete server_;
    delete app_;
    service_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static inline fs::path dir_;
  static inline std::shared_ptr<const rag::ChatService> service_;
  static inline api::Application* app_ = nullptr;
  static inline chatbot::http::Server* server_ = nullptr;
  static inline std::thread runner_;
  HttpClient client_{server_->port()};
};

TEST_F(AsyncChat, ServiceIsAsynchronous) {
  EXPECT_TRUE(service_->asynchronous());
}

TEST_F(AsyncChat, ChatIsAnsweredLaterWithTheUsualReply) {
  const auto res = client_.send(
      http::verb::post, "/api/v1/chat/", R"({"query":"VPN keeps disconnecting","top_k":3})",
      {{"Content-Type", "application/json"}, {"X-Request-ID", "async-1"}});
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res["X-Request-ID"], "async-1");
  EXPECT_EQ(res["X-Frame-Options"], "DENY");
  EXPECT_TRUE(res.keep_alive());
  const auto body = json::parse(res.body());
  EXPECT_EQ(body["request_id"], "async-1");
  EXPECT_EQ(body["search_results"].size(), 3u);
  EXPECT_EQ(body["search_results"][0]["metadata"]["id"], "net-vpn-keeps-disconnecting");
  EXPECT_TRUE(body["answered"].get<bool>());
  // The same answer as the synchronous service gives.
  const auto direct = service_->answer({.text = "VPN keeps disconnecting", .top_k = 3});
  EXPECT_EQ(body["response"], direct.response);
}

TEST_F(AsyncChat, ValidationStillAnswersAtOnce) {
  const auto res = client_.postJson("/api/v1/chat/", R"({"query":""})");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(json::parse(res.body())["error"], "validation_error");
}

TEST_F(AsyncChat, StreamMatchesChat) {
  const std::string query = R"({"query":"printer is offline","max_tokens":80})";
  const auto done = expectChatStream(client_.postJson("/api/v1/chat/stream", query));
  const auto chat = client_.postJson("/api/v1/chat/", query);
  ASSERT_EQ(chat.result_int(), 200);
  EXPECT_EQ(withoutPerRequestFields(done), withoutPerRequestFields(json::parse(chat.body())));
}

TEST_F(AsyncChat, ManyConcurrentClients) {
  constexpr int kClients = 16;
  constexpr int kRequests = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server_->port());
      for (int i = 0; i < kRequests; ++i) {
        const std::string body =
            json{{"query", "outlook problem number " + std::to_string(t * 100 + i)}}.dump();
        const bool stream = (t + i) % 3 == 0;
        const auto res = c.postJson(stream ? "/api/v1/chat/stream" : "/api/v1/chat/", body);
        if (res.result_int() != 200) continue;
        if (stream ? parseSse(res.body()).events.back().event == "done"
                   : json::parse(res.body())["query"] == json::parse(body)["query"]) {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

TEST_F(AsyncChat, ClientsLeavingMidRequestDoNotHurtTheServer) {
  const std::string body = R"({"query":"how do I connect to the VPN from home?"})";
  for (const char* path : {"/api/v1/chat/", "/api/v1/chat/stream"}) {
    for (int i = 0; i < 20; ++i) {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket socket(io);
      socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
      const std::string request =
          std::string("POST ") + path +
          " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      boost::asio::write(socket, boost::asio::buffer(request));
      if (i % 2 == 1) {
        // Abortive close (RST) rather than FIN.
        socket.set_option(boost::asio::socket_base::linger(true, 0));
      }
      socket.close();
    }
  }
  std::this_thread::sleep_for(200ms);
  const auto res = client_.postJson("/api/v1/chat/stream", body);
  expectChatStream(res);
  EXPECT_EQ(client_.postJson("/api/v1/chat/", body).result_int(), 200);
}

}  // namespace
}  // namespace chatbot::testing
