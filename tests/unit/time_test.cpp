// Timestamps (util/time.h).
#include "util/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>

namespace chatbot {
namespace {

TEST(Time, IsoTimestampsAreUtc) {
  const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(util::isoTimestampNow(), iso));
  EXPECT_EQ(util::isoTimestamp(std::chrono::system_clock::time_point{}),
            "1970-01-01T00:00:00.000000Z");
}

}  // namespace
}  // namespace chatbot
