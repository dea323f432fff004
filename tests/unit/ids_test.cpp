// UUIDs and request ids (util/ids.h).
#include "util/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <string>
#include <thread>

namespace chatbot {
namespace {

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

}  // namespace
}  // namespace chatbot
