// ExtractiveGenerator: the Generator contracts (tests/contracts/generator_contract.cpp), then
// how it builds an answer from an article: summary and numbered steps, shortened to fit
// max_tokens with a pointer to the rest (rag/answer_fit.h has the details), and the "no answer"
// reply.
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

TEST(ExtractiveGenerator, ShortensToWholeStepsAndSaysWhereTheRestIs) {
  const auto a = article();
  const std::vector<Source> sources{{&a, 0.9}};
  const ExtractiveGenerator generator("the IT Service Desk");
  for (std::size_t budget : {30u, 40u, 50u, 60u}) {
    const auto g = generator.generate({"q", sources, {}, budget});
    EXPECT_LE(g.tokens, budget);
    EXPECT_EQ(g.tokens, countTokens(g.text));
    EXPECT_TRUE(g.truncated);
    EXPECT_EQ(g.sources_used, 1u);
    // The last paragraph points to the article, which is source [1].
    const auto last = g.text.substr(g.text.rfind("\n\n") + 2);
    EXPECT_NE(last.find("see [1]."), std::string::npos) << g.text;
    EXPECT_EQ(g.text.find("If it still"), std::string::npos) << "heading kept without its content";
  }
  // Two whole steps, the summary's first sentence with the room they leave, the pointer.
  EXPECT_EQ(generator.generate({"q", sources, {}, 40}).text,
            "A printer shows offline when it lost its network connection.\n\n"
            "1. Turn the printer off and on.\n2. Check that its network light is on.\n\n"
            "Step 3 and more: see [1].");
}

TEST(ExtractiveGenerator, AnArticleWhoseFirstSentenceIsOverBudgetIsNamed) {
  kb::Article a;
  a.id = "x";
  a.subject = "Long";
  std::string sentence;
  for (int i = 0; i < 80; ++i) sentence += "word ";
  a.body = sentence + "ends here. Second sentence.";
  const std::vector<Source> sources{{&a, 0.9}};
  const auto g = ExtractiveGenerator("desk").generate({"q", sources, {}, 50});
  EXPECT_EQ(g.text, "See [1]: Long.");
  EXPECT_TRUE(g.truncated);
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
