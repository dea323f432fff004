#include "api/chat_request.h"

#include <gtest/gtest.h>

#include "api/errors.h"

namespace chatbot::api {
namespace {

const ChatLimits kLimits{};

http::Status statusOf(std::string_view body) {
  try {
    parseChatRequest(body, kLimits);
    return http::Status::ok;
  } catch (const ApiError& e) {
    EXPECT_FALSE(std::string(e.what()).empty());
    return e.status();
  }
}

TEST(ChatRequest, AcceptsTheReferenceShapeWithDefaults) {
  const auto q = parseChatRequest(R"({"query":"  VPN won't connect  "})", kLimits).query;
  EXPECT_EQ(q.text, "VPN won't connect");
  EXPECT_EQ(q.top_k, 4u);
  EXPECT_EQ(q.max_tokens, 150u);
  const auto q2 =
      parseChatRequest(R"({"query":"x","top_k":20,"max_tokens":50,"extra":true})", kLimits).query;
  EXPECT_EQ(q2.top_k, 20u);
  EXPECT_EQ(q2.max_tokens, 50u);
}

TEST(ChatRequest, TakesASessionIdToContinueAConversation) {
  EXPECT_EQ(parseChatRequest(R"({"query":"x"})", kLimits).session_id, "");
  EXPECT_EQ(parseChatRequest(R"({"query":"x","session_id":null})", kLimits).session_id, "");
  EXPECT_EQ(parseChatRequest(R"({"query":"x","session_id":"5d2c9a4e-1f3b.4c6d_8e7f"})", kLimits)
                .session_id,
            "5d2c9a4e-1f3b.4c6d_8e7f");
  for (const char* body :
       {R"({"query":"x","session_id":""})", R"({"query":"x","session_id":"has space"})",
        R"({"query":"x","session_id":"../etc"})", R"({"query":"x","session_id":42})"}) {
    EXPECT_EQ(statusOf(body), http::Status::bad_request) << body;
  }
  EXPECT_EQ(statusOf(R"({"query":"x","session_id":")" + std::string(65, 'a') + R"("})"),
            http::Status::bad_request);
}

TEST(ChatRequest, RejectsEveryInvalidBodyWith400) {
  for (const char* body : {"",
                           "   ",
                           "{",
                           "[]",
                           "\"query\"",
                           "{\"query\":null}",
                           "{}",
                           "{\"query\":5}",
                           "{\"query\":\"\"}",
                           "{\"query\":\" \\n\\t \"}",
                           "{\"query\":\"a\",\"top_k\":0}",
                           "{\"query\":\"a\",\"top_k\":21}",
                           "{\"query\":\"a\",\"top_k\":\"4\"}",
                           "{\"query\":\"a\",\"top_k\":4.5}",
                           "{\"query\":\"a\",\"top_k\":true}",
                           "{\"query\":\"a\",\"top_k\":null}",
                           "{\"query\":\"a\",\"max_tokens\":49}",
                           "{\"query\":\"a\",\"max_tokens\":501}",
                           "{\"query\":\"a\",\"max_tokens\":-1}",
                           "{\"query\":\"a\",\"max_tokens\":1e3}",
                           "{\"query\":\"a\\u0000b\"}",
                           "{\"query\":\"a\",\"top_k\":99999999999999999999}"}) {
    EXPECT_EQ(statusOf(body), http::Status::bad_request) << body;
  }
}

TEST(ChatRequest, RejectsInvalidUtf8) {
  EXPECT_EQ(statusOf("{\"query\":\"caf\xC3\"}"), http::Status::bad_request);
  EXPECT_EQ(statusOf("{\"query\":\"\xED\xA0\x80\"}"), http::Status::bad_request);  // surrogate
}

TEST(ChatRequest, CountsCharactersNotBytes) {
  std::string accented;
  for (int i = 0; i < 2000; ++i) accented += "\xC3\xA9";  // 2000 x 'é' = 4000 bytes
  EXPECT_EQ(statusOf("{\"query\":\"" + accented + "\"}"), http::Status::ok);
  EXPECT_EQ(statusOf("{\"query\":\"" + accented + "e\"}"), http::Status::bad_request);
  EXPECT_EQ(statusOf("{\"query\":\"" + std::string(2000, 'a') + "\"}"), http::Status::ok);
  EXPECT_EQ(statusOf("{\"query\":\"" + std::string(2001, 'a') + "\"}"), http::Status::bad_request);
}

TEST(ChatRequest, ContentTypeMustBeJson) {
  EXPECT_NO_THROW(requireJsonContentType("application/json"));
  EXPECT_NO_THROW(requireJsonContentType("Application/JSON; charset=utf-8"));
  for (const char* t :
       {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonp"}) {
    try {
      requireJsonContentType(t);
      ADD_FAILURE() << t;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), http::Status::unsupported_media_type);
    }
  }
}

}  // namespace
}  // namespace chatbot::api
