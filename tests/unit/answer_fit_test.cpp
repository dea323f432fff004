// ArticleAnswer (rag/answer_fit.h): how an article is laid out as intro, steps and notes, and how
// it is fitted into max_tokens: whole steps first, never a cut inside a step, item or sentence,
// and a pointer to the rest at the end of every shortened answer.
#include "rag/answer_fit.h"

#include <gtest/gtest.h>

#include <string>

#include "kb/loader.h"
#include "rag/tokens.h"

namespace chatbot::rag {
namespace {

ArticleAnswer layOut(std::string_view markdown) {
  return ArticleAnswer(kb::parseBlocks(markdown));
}

// The last paragraph of an answer.
std::string lastParagraph(const std::string& text) {
  const std::size_t split = text.rfind("\n\n");
  return split == std::string::npos ? text : text.substr(split + 2);
}

std::string step(int i) {
  return std::to_string(i) + ". Do the thing number " + std::to_string(i) +
         " carefully, then check that the window says it worked.";  // 17 tokens
}

// A ten-step procedure of about 230 tokens with a three-sentence summary and two notes.
std::string longProcedure() {
  std::string md =
      "Reinstalling the client fixes most update failures on company laptops and desktops. It "
      "takes about ten minutes, and you can keep working in the browser meanwhile. Ask the desk "
      "if you are unsure.\n\n"
      "## Steps\n";
  for (int i = 1; i <= 10; ++i) md += step(i) + "\n";
  md += "\n## Good to know\n- Updates run at night.\n- The desk can push the client remotely.\n";
  return md;
}

TEST(ArticleAnswer, LaysOutIntroStepsAndNotesWithHeadingsOnTheirContent) {
  const auto a = layOut(longProcedure());
  ASSERT_EQ(a.parts().size(), 13u);  // summary, 10 steps, 2 notes
  EXPECT_EQ(a.steps(), 10u);
  EXPECT_EQ(a.parts()[0].role, PartRole::kIntro);
  EXPECT_EQ(a.parts()[1].role, PartRole::kStep);
  EXPECT_EQ(a.parts()[11].role, PartRole::kNote);
  // "Good to know:" is shown with its first item, never alone.
  const AnswerPart& note = a.parts()[11];
  EXPECT_EQ(a.lines()[note.first].text, "Good to know:");
  EXPECT_EQ(note.content, note.first + 1);
  EXPECT_EQ(a.lines()[note.content].text, "- Updates run at night.");
}

TEST(ArticleAnswer, NestedItemsAndContinuationParagraphsBelongToTheirStep) {
  const auto a = layOut(
      "Intro.\n\n1. Open Settings.\n  - On a Mac: System Settings.\n\n   Wait for it to load.\n\n"
      "2. Choose Network.\n\nA paragraph after the list.\n\n## Other ways\n1. Call the desk.\n");
  ASSERT_EQ(a.steps(), 2u);
  const AnswerPart& first = a.parts()[1];
  EXPECT_EQ(first.end - first.content, 3u) << "the nested bullet and the paragraph join step 1";
  EXPECT_EQ(a.lines()[first.end - 1].text, "Wait for it to load.");
  // What follows the last step (a paragraph, a second list under its own heading) are notes.
  ASSERT_EQ(a.parts().size(), 5u);
  EXPECT_EQ(a.parts()[3].role, PartRole::kNote);
  EXPECT_EQ(a.parts()[4].role, PartRole::kNote);
  // Step 1 is shown with what belongs to it, or says that the rest of it is in the article.
  const std::size_t pointer = countTokens("Step 2 and more: see [1].");
  EXPECT_EQ(a.fit(a.parts()[1].tokens + pointer, "[1]", "x").text,
            "1. Open Settings.\n  - On a Mac: System Settings.\n\nWait for it to load.\n\n"
            "Step 2 and more: see [1].");
  EXPECT_EQ(a.fit(a.parts()[1].tokens + pointer - 1, "[1]", "x").text,
            "1. Open Settings.\n\nThe rest of step 1, step 2 and more: see [1].");
}

TEST(ArticleAnswer, StepsAreNumberedFromTheFirstAsMarkdownDoes) {
  const auto a = layOut("1. Open the app.\n1. Sign in with your account.\n1. Choose Sync now.\n");
  EXPECT_EQ(a.fit(100, "[1]", "x").text,
            "1. Open the app.\n2. Sign in with your account.\n3. Choose Sync now.");
  // 6 tokens of step 1 and 8 of the pointer.
  EXPECT_EQ(a.fit(14, "[1]", "x").text, "1. Open the app.\n\nSteps 2–3: see [1].");
}

TEST(ArticleAnswer, AShortAnswerIsShownUnchanged) {
  const auto a = layOut(
      "A printer shows offline when it lost its network connection.\n\n## Steps\n"
      "1. Turn the printer off and on.\n2. Check its network light.\n\n"
      "## If it still doesn't work\n- Contact the IT Service Desk.\n");
  const FittedAnswer f = a.fit(150, "[1]", "Printer offline");
  EXPECT_FALSE(f.shortened);
  EXPECT_EQ(f.text,
            "A printer shows offline when it lost its network connection.\n\n"
            "1. Turn the printer off and on.\n2. Check its network light.\n\n"
            "If it still doesn't work:\n- Contact the IT Service Desk.");
  EXPECT_EQ(f.tokens, countTokens(f.text));
  EXPECT_EQ(f.tokens, a.tokens());
  EXPECT_EQ(a.fit(a.tokens(), "[1]", "x").text, f.text) << "exactly at the budget still fits";
}

TEST(ArticleAnswer, ALongProcedureKeepsWholeStepsAndEndsWithThePointer) {
  const auto a = layOut(longProcedure());
  ASSERT_GT(a.tokens(), 150u);
  const FittedAnswer f = a.fit(150, "[1]", "Reinstall the client");
  EXPECT_TRUE(f.shortened);
  EXPECT_LE(f.tokens, 150u);
  EXPECT_EQ(f.tokens, countTokens(f.text));
  // Steps 1..n whole, one after the other; then the pointer to the others.
  int shown = 0;
  while (shown < 10 && f.text.find(step(shown + 1) + "\n") != std::string::npos) ++shown;
  ASSERT_GE(shown, 5);
  ASSERT_LT(shown, 10);
  EXPECT_EQ(f.text.find(std::to_string(shown + 1) + ". Do"), std::string::npos);
  EXPECT_EQ(lastParagraph(f.text), "Steps " + std::to_string(shown + 1) + "–10 and more: see [1].");
  // The steps come before the summary: one more step would not have fit even without it, and
  // the summary only has the room the steps left (its first sentence here).
  EXPECT_GT(shown * countTokens(step(1)) + countTokens(step(shown + 1)) +
                countTokens(lastParagraph(f.text)),
            150u);
  EXPECT_EQ(
      f.text.rfind("Reinstalling the client fixes most update failures on company laptops and "
                   "desktops.\n\n1. Do",
                   0),
      0u)
      << f.text;
  // A tighter budget drops the summary before any step.
  const FittedAnswer g = a.fit(125, "[1]", "x");
  EXPECT_EQ(g.text.rfind("1. Do", 0), 0u) << g.text;
  EXPECT_NE(g.text.find(step(6) + "\n\nSteps 7–10 and more: see [1]."), std::string::npos)
      << g.text;
}

TEST(ArticleAnswer, WithEveryStepShownTheIntroAndThenTheNotesGetWhatIsLeft) {
  const auto a = layOut(longProcedure());
  const std::size_t steps = [&] {
    std::size_t t = 0;
    for (const auto& p : a.parts()) t += p.role == PartRole::kStep ? p.tokens : 0;
    return t;
  }();
  // Room for the steps, the pointer and the summary's first sentence only.
  const std::string first_sentence =
      "Reinstalling the client fixes most update failures on company laptops and desktops.";
  const FittedAnswer f =
      a.fit(steps + countTokens("More: see [1].") + countTokens(first_sentence), "[1]", "x");
  EXPECT_EQ(f.text.rfind(first_sentence + "\n\n1. Do", 0), 0u) << f.text;
  EXPECT_EQ(f.text.find("ten minutes"), std::string::npos);
  EXPECT_NE(f.text.find("10. Do the thing number 10"), std::string::npos);
  EXPECT_EQ(lastParagraph(f.text), "More: see [1].");
  // One token short: everything but the last note, with the pointer. The notes stop at a whole
  // item.
  const FittedAnswer g = a.fit(a.tokens() - 1, "[1]", "x");
  EXPECT_EQ(g.tokens, a.tokens() - countTokens("- The desk can push the client remotely.") +
                          countTokens("More: see [1]."));
  EXPECT_NE(g.text.find("Good to know:\n- Updates run at night.\n\nMore: see [1]."),
            std::string::npos)
      << g.text;
}

TEST(ArticleAnswer, AFirstStepOverBudgetIsShownToASentenceEndThenThePointer) {
  std::string step1 = "1. Open the portal.";
  for (int i = 0; i < 30; ++i) step1 += " Then read paragraph " + std::to_string(i) + " twice.";
  const auto a = layOut("Intro sentence.\n\n" + step1 + "\n2. Sign in.\n3. Done.\n");
  const FittedAnswer f = a.fit(50, "[1]", "Portal");
  EXPECT_LE(f.tokens, 50u);
  EXPECT_EQ(f.text.rfind("1. Open the portal. Then read paragraph 0 twice.", 0), 0u) << f.text;
  EXPECT_EQ(lastParagraph(f.text), "The rest of step 1, steps 2–3 and more: see [1].");
  const std::string shown = f.text.substr(0, f.text.find("\n\n"));
  EXPECT_EQ(shown.back(), '.') << "stops at a sentence end";
}

TEST(ArticleAnswer, AFirstStepThatIsOneLongSentenceGivesTheIntroAndThePointer) {
  std::string step1 = "1. Open";
  for (int i = 0; i < 80; ++i) step1 += " word";
  const auto a = layOut("The portal is at portal.example.com.\n\n" + step1 + ".\n2. Sign in.\n");
  const FittedAnswer f = a.fit(50, "[1]", "Portal");
  EXPECT_EQ(f.text, "The portal is at portal.example.com.\n\nSteps 1–2: see [1].");
  // With no intro either, the pointer names the article.
  const FittedAnswer g = layOut(step1 + ".\n2. Sign in.\n").fit(50, "[1]", "Portal");
  EXPECT_EQ(g.text, "See [1]: Portal.");
  EXPECT_TRUE(g.shortened);
}

TEST(ArticleAnswer, PlainTextWithoutStepsStopsAtASentenceEnd) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "Sentence number " + std::to_string(i) + " is here. ";
  const auto a = layOut(text + "\n\nSecond paragraph.");
  EXPECT_EQ(a.steps(), 0u);
  const FittedAnswer f = a.fit(60, "[1]", "x");
  EXPECT_LE(f.tokens, 60u);
  EXPECT_EQ(f.text.rfind("Sentence number 0 is here. Sentence number 1 is here.", 0), 0u);
  EXPECT_EQ(lastParagraph(f.text), "More: see [1].");
  EXPECT_NE(f.text.find("is here.\n\nMore: see [1]."), std::string::npos) << f.text;
}

TEST(ArticleAnswer, AnArticleWithNothingToShowNamesItself) {
  const auto a = layOut("```\nsome code\n```\n");
  EXPECT_TRUE(a.parts().empty());
  const FittedAnswer f = a.fit(150, "[1]", "Run the script");
  EXPECT_EQ(f.text, "See [1]: Run the script.");
  EXPECT_TRUE(f.shortened);
}

TEST(ArticleAnswer, TheMacPasswordResetAt150TokensKeepsSixWholeStepsAndPointsToStep7) {
  const auto kb = kb::loadKnowledgeBase(std::string(CHATBOT_SOURCE_DIR) +
                                        "/data/kb/accounts/acc-mac-password-reset.md");
  ASSERT_EQ(kb.articles.size(), 1u);
  const auto a = ArticleAnswer(kb::parseBlocks(kb.articles[0].body));
  ASSERT_EQ(a.steps(), 7u);
  const FittedAnswer f = a.fit(150, "[1]", kb.articles[0].subject);
  EXPECT_LE(f.tokens, 150u);
  EXPECT_EQ(f.text.rfind("1. At the login window", 0), 0u) << f.text;
  EXPECT_NE(f.text.find("\n4. Enter the recovery key exactly as given, including the dashes.\n"),
            std::string::npos);
  EXPECT_NE(f.text.find("\n6. Sign in with the new password.\n\nStep 7 and more: see [1]."),
            std::string::npos)
      << f.text;
}

}  // namespace
}  // namespace chatbot::rag
