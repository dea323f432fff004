// ExtractiveGenerator: the Generator contracts (tests/contracts/generator_contract.cpp), then
// how it builds an answer from an article: summary and numbered steps, cut at max_tokens on a
// step or sentence boundary, and the "no answer" reply.
#include "rag/extractive_generator.h"

#include <gtest/gtest.h>

#include "contracts/generator_contract.h"
#include "rag/tokens.h"

namespace chatbot::rag {
namespace {

std::shared_ptr<const Generator> makeExtractive(const std::string& support_contact) {
  return std::make_shared<ExtractiveGenerator>(support_contact);
}

}  // namespace

namespace contract {
INSTANTIATE_TEST_SUITE_P(Extractive, GeneratorContract,
                         ::testing::Values(GeneratorBackend{"Extractive", makeExtractive}),
                         generatorBackendName);
INSTANTIATE_TEST_SUITE_P(Extractive, FallbackGeneratorContract,
                         ::testing::Values(GeneratorBackend{"Extractive", makeExtractive}),
                         generatorBackendName);
}  // namespace contract

namespace {

kb::Article article() {
  kb::Article a;
  a.id = "dev-printer";
  a.subject = "Printer offline";
  a.body =
      "A printer shows offline when it lost its network connection. Restarting it fixes most "
      "cases.\n\n"
      "## Steps\n"
      "1. Turn the printer off and on.\n"
      "2. Check that its network light is on.\n"
      "3. Remove the printer in Settings > Bluetooth & devices > Printers & scanners and add it "
      "again.\n\n"
      "## If it still doesn't work\n"
      "- Contact the IT Service Desk with the printer's asset tag.\n";
  return a;
}

TEST(ExtractiveGenerator, KeepsSummaryAndNumberedSteps) {
  const auto a = article();
  const std::vector<Source> sources{{&a, 0.9}};
  const ExtractiveGenerator generator("the IT Service Desk");
  const auto g = generator.generate({"printer offline", sources, {}, 500});
  EXPECT_TRUE(g.answered);
  EXPECT_FALSE(g.truncated);
  EXPECT_EQ(g.text.rfind("A printer shows offline", 0), 0u);
  EXPECT_NE(g.text.find("\n\n1. Turn the printer off and on.\n2. Check"), std::string::npos);
  EXPECT_NE(g.text.find("If it still doesn't work:\n- Contact"), std::string::npos);
  EXPECT_EQ(g.tokens, countTokens(g.text));
  EXPECT_NE(g.context_used.find("Printer offline"), std::string::npos);
}

TEST(ExtractiveGenerator, PreRenderedArticlesAnswerExactlyLikeOnTheFly) {
  const std::vector<kb::Article> articles{article()};
  const std::vector<Source> sources{{&articles[0], 0.9}};
  const ExtractiveGenerator prepared("desk", &articles);
  const ExtractiveGenerator on_the_fly("desk");
  for (std::size_t budget : {50u, 60u, 75u, 150u, 500u}) {
    const auto a = prepared.generate({"q", sources, {}, budget});
    const auto b = on_the_fly.generate({"q", sources, {}, budget});
    EXPECT_EQ(a.text, b.text) << budget;
    EXPECT_EQ(a.truncated, b.truncated) << budget;
    EXPECT_EQ(a.context_used, b.context_used);
  }
}

TEST(ExtractiveGenerator, CutsAtMaxTokensOnAStepBoundary) {
  const auto a = article();
  const std::vector<Source> sources{{&a, 0.9}};
  const ExtractiveGenerator generator("the IT Service Desk");
  for (std::size_t budget : {50u, 60u, 70u}) {
    const auto g = generator.generate({"q", sources, {}, budget});
    EXPECT_LE(countTokens(g.text), budget);
    EXPECT_TRUE(g.truncated);
    // Ends with a complete line: a whole step or the summary.
    const auto last = g.text.substr(g.text.rfind('\n') + 1);
    EXPECT_TRUE(last.back() == '.') << last;
    EXPECT_EQ(g.text.find("If it still"), std::string::npos) << "heading kept without its content";
  }
}

TEST(ExtractiveGenerator, LongFirstSentenceIsCutAtASentenceOrReferred) {
  kb::Article a;
  a.id = "x";
  a.subject = "Long";
  std::string sentence;
  for (int i = 0; i < 80; ++i) sentence += "word ";
  a.body = sentence + "ends here. Second sentence.";
  const std::vector<Source> sources{{&a, 0.9}};
  const auto g = ExtractiveGenerator("desk").generate({"q", sources, {}, 50});
  EXPECT_LE(countTokens(g.text), 50u);
  EXPECT_NE(g.text.find("Long"), std::string::npos);
}

TEST(ExtractiveGenerator, SaysSoWhenTheKbHasNoAnswer) {
  const auto a = article();
  const std::vector<Source> related{{&a, 0.2}};
  const auto g = ExtractiveGenerator("the IT Service Desk (ext. 4357)")
                     .generate({"bake a cake", {}, related, 150});
  EXPECT_FALSE(g.answered);
  EXPECT_TRUE(g.context_used.empty());
  EXPECT_NE(g.text.find("couldn't find an answer"), std::string::npos);
  EXPECT_NE(g.text.find("\"Printer offline\""), std::string::npos);
  EXPECT_NE(g.text.find("ext. 4357"), std::string::npos);
  EXPECT_EQ(g.text.find("Turn the printer"), std::string::npos)
      << "must not present an unrelated article";
}

}  // namespace
}  // namespace chatbot::rag
