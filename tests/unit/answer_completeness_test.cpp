// eval/answer_completeness.h: judging answers complete, shortened with a pointer, or cut, from
// their text; and the bundled KB's extractive answers, none of which may be cut.
#include "eval/answer_completeness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ingest/knowledge_index.h"
#include "rag/extractive_generator.h"
#include "security/credential_filter.h"

namespace chatbot::eval {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFull =
    "Summary sentence one. Summary sentence two.\n\n"
    "1. First step. It has two sentences.\n2. Second step.\n3. Third step.\n\n"
    "Good to know:\n- A note.";

TEST(ClassifyAnswer, TheWholeAnswerIsComplete) {
  EXPECT_EQ(classifyAnswer(kFull, kFull, "[1]"), Completeness::kComplete);
}

TEST(ClassifyAnswer, WholeLinesAndSentencesThenAPointerAreShortened) {
  EXPECT_EQ(classifyAnswer("1. First step. It has two sentences.\n2. Second step.\n\n"
                           "Step 3 and more: see [1].",
                           kFull, "[1]"),
            Completeness::kShortened);
  EXPECT_EQ(classifyAnswer("Summary sentence one.\n\n1. First step. It has two sentences.\n"
                           "2. Second step.\n3. Third step.\n\nMore: see [1].",
                           kFull, "[1]"),
            Completeness::kShortened);
  EXPECT_EQ(classifyAnswer("1. First step.\n\nThe rest of step 1: see [1].", kFull, "[1]"),
            Completeness::kShortened);
  EXPECT_EQ(classifyAnswer("See [1]: Title.", kFull, "[1]"), Completeness::kShortened);
}

TEST(ClassifyAnswer, TextLeftOutWithoutAPointerIsCut) {
  // What answers looked like before: the first lines, and nothing saying there is more.
  EXPECT_EQ(classifyAnswer("Summary sentence one. Summary sentence two.\n\n1. First step. It has "
                           "two sentences.\n2. Second step.",
                           kFull, "[1]"),
            Completeness::kCut);
  EXPECT_EQ(classifyAnswer("1. First step.\n\nSteps 2–3: see [2].", kFull, "[1]"),
            Completeness::kCut)
      << "the pointer must name the article's own marker";
}

TEST(ClassifyAnswer, ALineStoppedMidSentenceOrNotFromTheArticleIsCut) {
  EXPECT_EQ(classifyAnswer("1. First step. It has\n\nMore: see [1].", kFull, "[1]"),
            Completeness::kCut);
  EXPECT_EQ(classifyAnswer("1. First st\n\nMore: see [1].", kFull, "[1]"), Completeness::kCut);
  EXPECT_EQ(
      classifyAnswer("2. Second step.\n1. First step. It has two sentences.\n\nMore: see [1].",
                     kFull, "[1]"),
      Completeness::kCut)
      << "out of order";
  EXPECT_EQ(classifyAnswer("1. A step of another article.\n\nMore: see [1].", kFull, "[1]"),
            Completeness::kCut);
}

// The bundled KB at the reference client's max_tokens (150), and at the API's limits (50, 500)
// and between: every answer is complete or shortened with a pointer, and within budget.
TEST(BundledKbAnswers, NoneIsCutWithoutAPointer) {
  const fs::path dir =
      fs::temp_directory_path() / ("chatbot-completeness-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ingest::IndexOptions o;
  o.kb_path = std::string(CHATBOT_SOURCE_DIR) + "/data/kb";
  o.data_dir = dir;
  o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
  const auto index = ingest::KnowledgeIndex::open(o);
  const rag::ChatService service(
      index, std::make_shared<rag::ExtractiveGenerator>("desk", &index->articles()),
      std::make_shared<security::CredentialFilter>(), 0.35);
  for (const std::size_t max_tokens : {50u, 100u, 150u, 250u, 500u}) {
    const CompletenessReport r = checkCompleteness(service, max_tokens);
    EXPECT_EQ(r.by_article.total(), index->articles().size());
    EXPECT_GE(r.questions, 2 * r.articles);
    EXPECT_GT(r.by_question.total(), r.questions / 2);
    EXPECT_EQ(r.by_article.cut + r.by_question.cut, 0u) << max_tokens;
    for (const auto& f : r.failures) {
      ADD_FAILURE() << max_tokens << " " << f.article_id << " asked \"" << f.question << "\" ("
                    << toString(f.completeness) << ", " << f.tokens << " tokens):\n"
                    << f.answer;
    }
    if (max_tokens == 150) {
      // Every bundled article is longer than 150 tokens, most have steps left out.
      EXPECT_EQ(r.by_article.shortened, r.articles);
      EXPECT_GT(r.by_article.steps_left_out, r.articles / 2);
    }
    if (max_tokens == 500) EXPECT_EQ(r.by_article.complete, r.articles);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace chatbot::eval
