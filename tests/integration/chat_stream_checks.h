#pragma once
// Checks shared by the tests of POST /chat/stream, against `chatbot serve` and in-process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server_process.h"

namespace chatbot::testing {

// Asserts the SSE headers and the event order sources, delta+, done; that the deltas put together
// are done.response and that sources carries done's query, search results and (leading) warnings.
// Returns done's data (null when the stream is malformed).
inline nlohmann::json expectChatStream(const Response& res) {
  EXPECT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res[http::field::content_type], "text/event-stream");
  EXPECT_EQ(res[http::field::cache_control], "no-cache");
  EXPECT_EQ(res["X-Accel-Buffering"], "no");
  EXPECT_EQ(res[http::field::connection], "keep-alive");
  EXPECT_EQ(res[http::field::transfer_encoding], "chunked");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(res["X-Request-ID"].empty());
  const auto stream = parseSse(res.body());
  const auto& events = stream.events;
  if (events.size() < 3) {
    ADD_FAILURE() << "expected sources, delta+, done: " << res.body();
    return nullptr;
  }
  EXPECT_EQ(events.front().event, "sources");
  EXPECT_EQ(events.back().event, "done");
  std::string text;
  for (std::size_t i = 1; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].event, "delta") << i;
    text += nlohmann::json::parse(events[i].data).at("text").get<std::string>();
  }
  const auto sources = nlohmann::json::parse(events.front().data);
  auto done = nlohmann::json::parse(events.back().data);
  EXPECT_EQ(text, done["response"]);
  EXPECT_EQ(sources["query"], done["query"]);
  EXPECT_EQ(sources["search_results"], done["search_results"]);
  EXPECT_LE(sources["warnings"].size(), done["warnings"].size());
  EXPECT_EQ(done["request_id"], res["X-Request-ID"]);
  return done;
}

// A chat reply without the fields that differ between two answers to the same question.
inline nlohmann::json withoutPerRequestFields(nlohmann::json reply) {
  // Each answer is its own message, in its own new conversation.
  for (const char* key : {"processing_time", "timestamp", "request_id", "session_id", "message_id"})
    reply.erase(key);
  return reply;
}

}  // namespace chatbot::testing
