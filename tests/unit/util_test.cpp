#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "eval/metrics.h"
#include "http/router.h"
#include "util/ids.h"
#include "util/time.h"
#include "util/utf8.h"

namespace chatbot {
namespace {

TEST(Utf8, ValidatesAndCounts) {
  EXPECT_TRUE(util::isValidUtf8("plain ascii"));
  EXPECT_TRUE(util::isValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(util::isValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(util::isValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(util::isValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(util::isValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(util::isValidUtf8("\xFF"));
  EXPECT_EQ(util::codePointCount("caf\xC3\xA9 \xF0\x9F\x98\x80"), 6u);
}

// Feeds `chunks` one after another the way the LLM engine does, returning the text emitted.
std::string decodeChunks(const std::vector<std::string>& chunks) {
  std::string pending;
  std::string out;
  for (const auto& chunk : chunks) {
    pending += chunk;
    pending.erase(0, util::appendDecodableUtf8(pending, out));
    EXPECT_TRUE(util::isValidUtf8(out)) << "after chunk of " << chunk.size() << " bytes";
  }
  return out;
}

TEST(Utf8, DecodableTextWaitsForSplitCharacters) {
  // "é" and "😀" arrive one byte per token: nothing is emitted until each is whole.
  std::string pending = "caf\xC3";
  std::string out;
  EXPECT_EQ(util::appendDecodableUtf8(pending, out), 3u);
  EXPECT_EQ(out, "caf");
  EXPECT_EQ(decodeChunks({"caf", "\xC3", "\xA9", " ", "\xF0", "\x9F", "\x98", "\x80", "!"}),
            "caf\xC3\xA9 \xF0\x9F\x98\x80!");
}

TEST(Utf8, IllFormedBytesBecomeReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(decodeChunks({"a\xFF" "b"}), "a" + fffd + "b");             // never a lead byte
  EXPECT_EQ(decodeChunks({"\x80\x80"}), fffd + fffd);                   // stray continuations
  EXPECT_EQ(decodeChunks({"\xC3", "A"}), fffd + "A");                   // lead byte, then ASCII
  EXPECT_EQ(decodeChunks({"\xE2\x82", "x"}), fffd + "x");               // truncated 3-byte: one U+FFFD
  EXPECT_EQ(decodeChunks({"\xC0\xAF"}), fffd + fffd);                   // overlong lead
  EXPECT_EQ(decodeChunks({"\xED", "\xA0\x80"}), fffd + fffd + fffd);    // surrogate
  EXPECT_EQ(decodeChunks({"\xF4\x90\x80\x80"}), fffd + fffd + fffd + fffd);  // past U+10FFFF
  EXPECT_EQ(decodeChunks({"\xE2\x82\xAC"}), "\xE2\x82\xAC");
}

TEST(Ids, UuidsAndRequestIds) {
  const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(util::newUuid(), v4));
  EXPECT_NE(util::newUuid(), util::newUuid());
  EXPECT_TRUE(util::isAcceptableRequestId("abc-123_x.y:z"));
  EXPECT_FALSE(util::isAcceptableRequestId(""));
  EXPECT_FALSE(util::isAcceptableRequestId("has space"));
  EXPECT_FALSE(util::isAcceptableRequestId("line\nbreak"));
  EXPECT_FALSE(util::isAcceptableRequestId(std::string(129, 'a')));
}

TEST(Ids, TimeOrderedUuidsCarryTheTimeAndSortByIt) {
  const std::regex v7("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string first = util::newTimeOrderedUuid();
  EXPECT_TRUE(std::regex_match(first, v7)) << first;
  // The first 48 bits are the Unix time in milliseconds.
  const std::string hex = first.substr(0, 8) + first.substr(9, 4);
  const auto stamp = static_cast<long long>(std::stoull(hex, nullptr, 16));
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, before + 60'000);
  // Ids made a millisecond apart sort in creation order (text order is byte order here).
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::string later = util::newTimeOrderedUuid();
  EXPECT_LT(first, later);
  // Within one millisecond the rest is random: no two alike.
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(util::newTimeOrderedUuid());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Time, IsoTimestampsAreUtc) {
  const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(util::isoTimestampNow(), iso));
  EXPECT_EQ(util::isoTimestamp(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00.000000Z");
}

TEST(Router, MatchesMethodsPathsAndParams) {
  http::Router router;
  int called = 0;
  router.add(http::Verb::post, "/api/v1/chat/", [&](const http::Request&, http::RequestContext&) {
    ++called;
    return http::Response{};
  });
  router.add(http::Verb::get, "/tickets/{id}", [](const http::Request&, http::RequestContext&) { return http::Response{}; });
  http::RequestContext c;
  EXPECT_NE(router.match(http::Verb::post, "/api/v1/chat", c).route, nullptr);
  EXPECT_NE(router.match(http::Verb::post, "/api/v1/chat/", c).route, nullptr);
  const auto wrong_method = router.match(http::Verb::get, "/api/v1/chat/", c);
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_exists);
  EXPECT_EQ(wrong_method.allowed, std::vector<http::Verb>{http::Verb::post});
  EXPECT_FALSE(router.match(http::Verb::get, "/api/v1/chatx", c).path_exists);
  EXPECT_NE(router.match(http::Verb::head, "/tickets/42", c).route, nullptr);
  EXPECT_EQ(c.path_params["id"], "42");
}

TEST(Metrics, MatchHandComputedValues) {
  std::vector<eval::QueryOutcome> outcomes(2);
  outcomes[0].ranked_ids = {"a", "b", "c"};
  outcomes[0].relevant_ids = {"a"};
  outcomes[0].latency_ms = 1;
  outcomes[1].ranked_ids = {"x", "y", "b"};
  outcomes[1].relevant_ids = {"b", "z"};
  outcomes[1].latency_ms = 3;
  const auto m = eval::computeMetrics(outcomes);
  EXPECT_DOUBLE_EQ(m.hit_at_1, 0.5);
  EXPECT_DOUBLE_EQ(m.hit_at_5, 1.0);
  EXPECT_DOUBLE_EQ(m.mrr_at_10, (1.0 + 1.0 / 3) / 2);
  const double ndcg2 = (1 / std::log2(4.0)) / (1 + 1 / std::log2(3.0));
  EXPECT_NEAR(m.ndcg_at_10, (1.0 + ndcg2) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(m.p50_ms, 1);
  EXPECT_DOUBLE_EQ(m.p95_ms, 3);
}

}  // namespace
}  // namespace chatbot

#include <nlohmann/json.hpp>

#include "util/json_escape.h"

namespace chatbot {
namespace {

TEST(JsonEscape, RoundTripsThroughAJsonParser) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  for (const std::string& text : {std::string(""), std::string("plain"), all, std::string("caf\xC3\xA9 \xF0\x9F\x98\x80"),
                                 std::string("a\"b\\c\nd\te\x01")}) {
    std::string out;
    util::appendJsonString(out, text);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), text);
  }
  std::string out;
  util::appendJsonString(out, "x\x1fy");
  EXPECT_EQ(out, "\"x\\u001fy\"");
}

}  // namespace
}  // namespace chatbot
