// The synonym table: parsing, rewriting queries and article text to canonical terms, and its
// fingerprint (part of the index identity).
#include "retrieval/synonyms.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace chatbot::retrieval {
namespace {

TEST(Synonyms, VariantsMapToCanonicalTermsOnBothSides) {
  const auto table = SynonymTable::parse(
      "# comment\nwifi: wi-fi, wireless, wlan, wireless network\nsignin: sign in, log in, log on, "
      "login\n");
  EXPECT_EQ(table.groups(), 2u);
  EXPECT_EQ(table.rewriteQuery("Wi-Fi keeps dropping"), "wifi keeps dropping");
  EXPECT_EQ(table.rewriteQuery("can't log on to the wireless network"), "can't signin to the wifi");
  EXPECT_EQ(table.canonicalTerms("Connect to the WLAN, then sign in."), "wifi signin ");
  EXPECT_EQ(table.canonicalTerms("no synonyms here"), "");
  EXPECT_THROW(SynonymTable::parse("no colon here"), std::runtime_error);
  EXPECT_THROW(SynonymTable::parse("two words: x"), std::runtime_error);
}

TEST(Synonyms, FingerprintChangesWithTheTable) {
  EXPECT_NE(SynonymTable::parse("a: b").fingerprint(), SynonymTable::parse("a: c").fingerprint());
  EXPECT_EQ(SynonymTable::parse("a: b # x").fingerprint(),
            SynonymTable::parse("a:b").fingerprint());
}

}  // namespace
}  // namespace chatbot::retrieval
