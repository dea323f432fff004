// Escaping text into JSON strings (util/json_escape.h).
#include "util/json_escape.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace chatbot {
namespace {

TEST(JsonEscape, RoundTripsThroughAJsonParser) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  for (const std::string& text :
       {std::string(""), std::string("plain"), all, std::string("caf\xC3\xA9 \xF0\x9F\x98\x80"),
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
