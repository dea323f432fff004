// POST /api/v1/chat/stream against the real `chatbot serve` (synchronous extractive answers).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "chat_stream_checks.h"
#include "server_process.h"

namespace chatbot::testing {
namespace {

using nlohmann::json;

using ChatStream = SharedServerTest;

TEST_F(ChatStream, SourcesThenDeltasThenDone) {
  const auto res =
      client_.send(http::verb::post, "/api/v1/chat/stream",
                   R"({"query":"How do I reset my password on my MacBook Air?","top_k":3})",
                   {{"Content-Type", "application/json"}, {"X-Request-ID", "stream-1"}});
  const auto done = expectChatStream(res);
  ASSERT_FALSE(done.is_null());
  EXPECT_EQ(res["X-Request-ID"], "stream-1");
  EXPECT_TRUE(done["answered"].get<bool>());
  EXPECT_EQ(done["search_results"].size(), 3u);
  EXPECT_EQ(done["search_results"][0]["metadata"]["id"], "acc-mac-password-reset");
  EXPECT_EQ(done["generator"], "extractive");
  // The same reply object as /chat: context_used in the reference's shape, the pointer to the
  // rest of the procedure at the end of the answer.
  const std::string context = done["context_used"];
  EXPECT_LE(context.size(), 503u);
  EXPECT_EQ(context.substr(context.size() - 3), "...");
  EXPECT_NE(done["response"].get<std::string>().find("see [1]."), std::string::npos);
}

TEST_F(ChatStream, DoneIsWhatChatAnswers) {
  for (const char* query :
       {R"({"query":"VPN keeps disconnecting","top_k":2,"max_tokens":60})",
        R"({"query":"What is a good recipe for chocolate cake?"})",
        R"({"query":"my password is Tr0ub4dor&3xyz and outlook won't sync"})"}) {
    const auto streamed = expectChatStream(client_.postJson("/api/v1/chat/stream", query));
    const auto chat = client_.postJson("/api/v1/chat/", query);
    ASSERT_EQ(chat.result_int(), 200);
    EXPECT_EQ(withoutPerRequestFields(streamed), withoutPerRequestFields(json::parse(chat.body())))
        << query;
  }
}

TEST_F(ChatStream, RedactedQueryAndWarningArriveWithTheSources) {
  const auto res =
      client_.postJson("/api/v1/chat/stream", R"({"query":"my VPN password is Tr0ub4dor&3xyz"})");
  EXPECT_EQ(res.body().find("Tr0ub4dor"), std::string::npos);
  const auto sources = json::parse(parseSse(res.body()).events.at(0).data);
  EXPECT_NE(sources["query"].get<std::string>().find("[REDACTED]"), std::string::npos);
  ASSERT_FALSE(sources["warnings"].empty());
}

TEST_F(ChatStream, InvalidRequestsGetJsonErrorsNotAStream) {
  for (const std::string body :
       {"{not json", R"({"query":""})", R"({"query":"x","top_k":0})", ""}) {
    const auto res = client_.postJson("/api/v1/chat/stream", body);
    EXPECT_EQ(res.result_int(), 400) << body;
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_TRUE(json::parse(res.body())["error"].is_string());
  }
  const auto wrong_type = client_.send(http::verb::post, "/api/v1/chat/stream", R"({"query":"x"})",
                                       {{"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.result_int(), 415);
  const auto get = client_.get("/api/v1/chat/stream");
  EXPECT_EQ(get.result_int(), 405);
  EXPECT_EQ(get[http::field::allow], "POST");
}

TEST_F(ChatStream, TheConnectionServesMoreRequestsAfterAStream) {
  ASSERT_EQ(client_.get("/health").result_int(), 200);
  const auto connection = client_.stream->socket().local_endpoint().port();
  for (int i = 0; i < 3; ++i) {
    expectChatStream(client_.postJson("/api/v1/chat/stream", R"({"query":"printer is offline"})"));
    EXPECT_EQ(client_.postJson("/api/v1/chat/", R"({"query":"printer is offline"})").result_int(),
              200);
  }
  ASSERT_TRUE(client_.stream);
  EXPECT_EQ(client_.stream->socket().local_endpoint().port(), connection)
      << "every request used one connection";
}

TEST_F(ChatStream, StreamsAreLoggedWithTheirStages) {
  const auto res =
      client_.send(http::verb::post, "/api/v1/chat/stream", R"({"query":"wifi keeps dropping"})",
                   {{"Content-Type", "application/json"}, {"X-Request-ID", "stream-logged"}});
  ASSERT_EQ(res.result_int(), 200);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1500));  // the async logger flushes every second
  const std::string log = server_->log();
  const auto line_start = log.find("\"request_id\":\"stream-logged\"");
  ASSERT_NE(line_start, std::string::npos) << log;
  const auto line = log.substr(log.rfind('\n', line_start) + 1,
                               log.find('\n', line_start) - log.rfind('\n', line_start));
  EXPECT_NE(line.find("\"path\":\"/api/v1/chat/stream\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"stages_ms\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"status\":200"), std::string::npos) << line;
}

}  // namespace
}  // namespace chatbot::testing
