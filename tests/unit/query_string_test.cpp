// Query-string parsing: percent-decoding, repeated keys, and malformed escapes refused.
#include "http/query_string.h"

#include <gtest/gtest.h>

namespace chatbot::http {
namespace {

TEST(QueryString, DecodesAndRejectsMalformedEscapes) {
  const auto p = queryParameters("/tickets?status=in_progress&limit=5&q=a%20b+c&flag&limit=7#frag");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->at("status"), "in_progress");
  EXPECT_EQ(p->at("limit"), "7");
  EXPECT_EQ(p->at("q"), "a b c");
  EXPECT_EQ(p->at("flag"), "");
  EXPECT_TRUE(queryParameters("/tickets")->empty());
  EXPECT_FALSE(queryParameters("/t?x=%zz"));
  EXPECT_FALSE(queryParameters("/t?x=%4"));
  EXPECT_FALSE(queryParameters("/t?x=%00"));
}

}  // namespace
}  // namespace chatbot::http
