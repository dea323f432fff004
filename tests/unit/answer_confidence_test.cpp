// The answer-confidence estimate: term evidence over articles (retrieval::TermStatistics), the
// features and scores of retrieval::AnswerConfidence, the model file, the offline fit, and the
// shipped model on the bundled knowledge base.
#include "retrieval/answer_confidence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "eval/selective.h"
#include "ingest/knowledge_index.h"

namespace chatbot::retrieval {
namespace {

kb::Article article(std::string id, std::string subject, std::string body,
                    std::vector<std::string> questions = {}) {
  kb::Article a;
  a.id = std::move(id);
  a.subject = std::move(subject);
  a.body = std::move(body);
  a.questions = std::move(questions);
  return a;
}

std::vector<kb::Article> itArticles() {
  return {article("vpn", "VPN keeps disconnecting", "Reconnect the VPN client and check Wi-Fi."),
          article("printer", "Printer is offline", "Restart the printer and re-add it.",
                  {"Why can't I print?"}),
          article("password", "Reset your password", "Use the self-service portal to reset it.")};
}

std::shared_ptr<const SynonymTable> synonyms() {
  return std::make_shared<const SynonymTable>(SynonymTable::parse("wifi: wi-fi, wireless"));
}

TEST(TermStatistics, TermsAreStemmedWithoutStopwordsOrRepeats) {
  const TermStatistics stats(itArticles(), nullptr);
  EXPECT_EQ(stats.terms("How do I restart the printers? Printer!"),
            (std::vector<std::string>{"restart", "printer"}));
}

TEST(TermStatistics, RareAndUnknownTermsWeighMore) {
  const TermStatistics stats(itArticles(), nullptr);
  EXPECT_TRUE(stats.known("printer"));
  EXPECT_FALSE(stats.known("tyre"));
  EXPECT_EQ(stats.idf("tyre"), stats.unknownIdf());
  EXPECT_GT(stats.idf("printer"), stats.idf("reset") - 1e-9);  // both in one article
  EXPECT_LT(stats.idf("printer"), stats.unknownIdf());
}

TEST(TermStatistics, KnowsWhereEachTermOccurs) {
  const TermStatistics stats(itArticles(), nullptr);
  EXPECT_TRUE(stats.inTitle(1, "print"));  // from the alternative question
  EXPECT_TRUE(stats.inArticle(1, "restart"));
  EXPECT_FALSE(stats.inTitle(1, "restart"));
  EXPECT_FALSE(stats.inArticle(0, "printer"));
}

TEST(TermStatistics, SynonymVariantsMeetTheirCanonicalTerm) {
  const TermStatistics stats(itArticles(), synonyms());
  const auto terms = stats.terms("wireless drops");
  ASSERT_FALSE(terms.empty());
  EXPECT_EQ(terms.front(), "wifi");
  EXPECT_TRUE(stats.inArticle(0, "wifi"));  // the article says Wi-Fi
}

class AnswerConfidenceTest : public ::testing::Test {
 protected:
  // Weights only on coverage, so probabilities are easy to predict.
  AnswerConfidence confidence(double bias = -2, double coverage = 4) {
    std::array<double, ConfidenceFeatures::kCount> weights{};
    weights[0] = coverage;
    return AnswerConfidence(terms_, ConfidenceModel(bias, weights));
  }
  std::shared_ptr<const TermStatistics> terms_ =
      std::make_shared<TermStatistics>(itArticles(), nullptr);
};

TEST_F(AnswerConfidenceTest, FeaturesDescribeTheBestResult) {
  const auto features =
      confidence().features("printer offline tyre", {{1, 0.8, 2.0}, {0, 0.2, 0.5}});
  const auto& v = features.values;
  const auto& names = ConfidenceFeatures::names();
  const auto at = [&](const std::string& name) {
    return v[static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin())];
  };
  EXPECT_GT(at("coverage"), 0.3);
  EXPECT_LT(at("coverage"), 0.7) << "the unknown 'tyre' is not covered";
  EXPECT_NEAR(at("coverage"), at("title_coverage"), 1e-9);
  EXPECT_LT(at("known"), 1.0);
  EXPECT_DOUBLE_EQ(at("missing_rarity"), 1.0);  // the unknown term is the rarest missing one
  EXPECT_DOUBLE_EQ(at("lead"), 0.75);
  EXPECT_DOUBLE_EQ(at("engine_score"), 0.8);
  EXPECT_GT(at("terms"), 0.0);
}

TEST_F(AnswerConfidenceTest, AQuestionTheArticleCoversIsMoreLikelyAnswered) {
  const auto model = confidence();
  const std::vector<Hit> hits = {{1, 0.5, 1.0}};
  EXPECT_GT(model.probability("printer offline", hits), model.probability("offline tyre", hits));
  EXPECT_EQ(model.probability("printer offline", {}), 0.0);
}

TEST_F(AnswerConfidenceTest, ResultsCloseToTheBestShareItsConfidenceAndOthersGetLess) {
  std::vector<Hit> hits = {{1, 0.8, 3.0}, {2, 0.6, 2.2}, {0, 0.28, 1.0}};
  confidence().score("printer offline", hits);
  const double p = confidence().probability("printer offline", {{1, 0.8, 3.0}, {2, 0.6, 2.2}});
  EXPECT_DOUBLE_EQ(hits[0].score, p);
  EXPECT_DOUBLE_EQ(hits[1].score, p);  // 0.6 is within kSourceBand of 0.8
  EXPECT_NEAR(hits[2].score, p * (0.28 / 0.8) / AnswerConfidence::kSourceBand, 1e-12);
  EXPECT_EQ(hits[1].article, 2U) << "the engine's order is kept";
}

TEST(ConfidenceModel, RoundTripsThroughJsonAndRejectsUnknownFeatures) {
  std::array<double, ConfidenceFeatures::kCount> weights{};
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 0.5 * static_cast<double>(i);
  const ConfidenceModel model(-1.5, weights);
  const auto back = ConfidenceModel::fromJson(model.toJson());
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(back.value().bias(), -1.5);
  EXPECT_EQ(back.value().weights(), weights);
  const auto bad = ConfidenceModel::fromJson({{"bias", 0}, {"weights", {{"colour", 1}}}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("colour"), std::string::npos);
  EXPECT_FALSE(ConfidenceModel::fromJson({{"weights", {}}}));
  EXPECT_FALSE(ConfidenceModel::load("/nonexistent/confidence.json"));
}

TEST(ConfidenceFit, RecoversTheDirectionOfTheEvidenceAndIsCalibrated) {
  // Labels drawn from a known logistic model over coverage: the fit finds its weights.
  std::mt19937 random(7);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<ConfidenceFeatures> examples;
  std::vector<int> labels;
  for (int i = 0; i < 4000; ++i) {
    ConfidenceFeatures f;
    for (auto& v : f.values) v = uniform(random);
    const double p = 1 / (1 + std::exp(-(-3 + 6 * f.values[0])));
    examples.push_back(f);
    labels.push_back(uniform(random) < p ? 1 : 0);
  }
  const auto fitted = fitConfidenceModel(examples, labels);
  ASSERT_TRUE(fitted) << fitted.error().detail;
  EXPECT_NEAR(fitted.value().bias(), -3, 0.6);
  EXPECT_NEAR(fitted.value().weights()[0], 6, 0.8);
  for (std::size_t i = 1; i < ConfidenceFeatures::kCount; ++i) {
    EXPECT_NEAR(fitted.value().weights()[i], 0, 0.5) << ConfidenceFeatures::names()[i];
  }
}

TEST(ConfidenceFit, NeedsBothKindsOfExamples) {
  const std::vector<ConfidenceFeatures> examples(3);
  EXPECT_FALSE(fitConfidenceModel(examples, {1, 1, 1}));
  EXPECT_FALSE(fitConfidenceModel(examples, {1, 0}));  // sizes differ
}

// The shipped model over the bundled knowledge base: IT questions are answered, questions about
// anything else are not (the model was fitted on other data: ../shared/eval, see BENCHMARKS).
TEST(ShippedConfidenceModel, AnswersItQuestionsAndAbstainsOnOthers) {
  const auto model =
      ConfidenceModel::load(std::string(CHATBOT_SOURCE_DIR) + "/data/confidence.json");
  ASSERT_TRUE(model) << model.error().detail;
  ingest::IndexOptions o;
  o.kb_path = std::string(CHATBOT_SOURCE_DIR) + "/data/kb";
  o.data_dir = std::filesystem::temp_directory_path() /
               ("chatbot-confidence-test-" + std::to_string(::getpid()));
  const auto index = ingest::KnowledgeIndex::open(o);
  const AnswerConfidence confidence(index->termStatistics(), model.value());
  const auto p = [&](const std::string& q) {
    return confidence.probability(q, index->retriever().search(q, 4));
  };
  constexpr double kDefaultThreshold = 0.4;  // MIN_ANSWER_SCORE
  for (const char* q : {"How do I reset my password on my MacBook Air?", "VPN keeps disconnecting",
                        "The printer says offline", "I clicked a link in a phishing email"}) {
    EXPECT_GE(p(q), kDefaultThreshold) << q;
  }
  for (const char* q :
       {"Tell me a joke", "What is the capital of France?", "What's the meaning of life?",
        "What can I do if the picture is distorted?"}) {
    EXPECT_LT(p(q), kDefaultThreshold) << q;
  }
  std::filesystem::remove_all(o.data_dir);
}

}  // namespace
}  // namespace chatbot::retrieval

namespace chatbot::eval {
namespace {

TEST(SelectiveAnswering, CountsRightWrongAbstainedAndOutOfDomainAnswers) {
  const std::vector<ScoredQuestion> questions = {
      {true, {0.9, 0.8}, {false, true}},  // answered; the second source is right
      {true, {0.9, 0.2}, {false, true}},  // answered from the first only: wrong
      {true, {0.3, 0.2}, {true, false}},  // abstained
      {false, {0.7}, {false}},            // out-of-domain, answered
      {false, {0.1}, {false}},            // out-of-domain, abstained
  };
  const auto o = selectiveAnswering(questions, 0.5);
  EXPECT_EQ(o.in_domain, 3U);
  EXPECT_EQ(o.out_of_domain, 2U);
  EXPECT_DOUBLE_EQ(o.answered_right, 1.0 / 3);
  EXPECT_DOUBLE_EQ(o.answered_wrong, 1.0 / 3);
  EXPECT_DOUBLE_EQ(o.abstained, 1.0 / 3);
  EXPECT_DOUBLE_EQ(o.out_of_domain_answered, 0.5);
  const auto curve = selectiveCurve(questions, {0.0, 1.0});
  EXPECT_DOUBLE_EQ(curve[0].abstained, 0.0);
  EXPECT_DOUBLE_EQ(curve[1].out_of_domain_answered, 0.0);
}

}  // namespace
}  // namespace chatbot::eval
