// Base64url without padding (util/base64.h), as JWS segments and JWK key material use it.
#include "util/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace chatbot::util {
namespace {

TEST(Base64Url, EncodesTheRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64UrlEncode(""), "");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(base64UrlDecode("-_-_"), std::string("\xfb\xff\xbf"));
}

TEST(Base64Url, RoundTripsEveryByteAtEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes += static_cast<char>(i * 37 % 256);
    const std::string text = base64UrlEncode(bytes);
    ASSERT_EQ(base64UrlDecode(text), bytes) << "length " << bytes.size();
  }
}

TEST(Base64Url, RefusesWhatIsNotCanonicalUnpaddedBase64Url) {
  EXPECT_EQ(base64UrlDecode("Zg=="), std::nullopt);   // padding
  EXPECT_EQ(base64UrlDecode("+/+/"), std::nullopt);   // the standard alphabet's 62 and 63
  EXPECT_EQ(base64UrlDecode("Zm9 v"), std::nullopt);  // whitespace
  EXPECT_EQ(base64UrlDecode("Zm9vY"), std::nullopt);  // one character over: 6 bits
  EXPECT_EQ(base64UrlDecode("Zh"), std::nullopt);     // "f" with non-zero trailing bits
  EXPECT_EQ(base64UrlDecode(std::string("Zg\0", 3)), std::nullopt);
  EXPECT_EQ(base64UrlDecode(""), std::string());
}

}  // namespace
}  // namespace chatbot::util
