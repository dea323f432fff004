// Loading knowledge-base articles from Markdown (front matter), JSONL and CSV files and folders,
// and the bundled knowledge base.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kb/loader.h"

namespace chatbot::kb {
namespace {

TEST(MarkdownArticle, ParsesFrontMatterAndBody) {
  LoadResult out;
  parseMarkdownArticle(
      "---\nid: net-vpn\nsubject: \"Fix VPN: error 809\"\ncategory: network\ntags: [vpn, remote "
      "access]\n"
      "difficulty: beginner\nquestions:\n  - VPN broken\n  - cannot connect to vpn\nowner: "
      "it-network\n---\n"
      "Summary.\n\n## Steps\n1. One.\n",
      "network/net-vpn.md", out);
  ASSERT_TRUE(out.problems.empty()) << out.problems[0].message;
  ASSERT_EQ(out.articles.size(), 1u);
  const auto& a = out.articles[0];
  EXPECT_EQ(a.id, "net-vpn");
  EXPECT_EQ(a.subject, "Fix VPN: error 809");
  EXPECT_EQ(a.tags, (std::vector<std::string>{"vpn", "remote access"}));
  EXPECT_EQ(a.questions.size(), 2u);
  EXPECT_EQ(a.metadata["owner"], "it-network");
  EXPECT_EQ(a.body, "Summary.\n\n## Steps\n1. One.");
}

TEST(MarkdownArticle, CategoryDefaultsToFolder) {
  LoadResult out;
  parseMarkdownArticle("---\nid: x1\nsubject: S\n---\nBody", "printers/x1.md", out);
  ASSERT_EQ(out.articles.size(), 1u);
  EXPECT_EQ(out.articles[0].category, "printers");
}

TEST(MarkdownArticle, ReportsEachProblemWithoutThrowing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no front matter", "Just text"},
      {"unclosed", "---\nid: a\nsubject: b\n"},
      {"bad yaml", "---\nid: [a\nsubject: b\n---\nbody"},
      {"missing id", "---\nsubject: b\n---\nbody"},
      {"bad id", "---\nid: has space\nsubject: b\n---\nbody"},
      {"missing subject", "---\nid: a\n---\nbody"},
      {"empty body", "---\nid: a\nsubject: b\n---\n   \n"},
      {"bad difficulty", "---\nid: a\nsubject: b\ndifficulty: easy\n---\nbody"},
      {"tags not list of strings", "---\nid: a\nsubject: b\ntags: [[x]]\n---\nbody"},
  };
  for (const auto& [name, text] : cases) {
    LoadResult out;
    parseMarkdownArticle(text, "f.md", out);
    EXPECT_TRUE(out.articles.empty()) << name;
    EXPECT_EQ(out.problems.size(), 1u) << name;
  }
}

TEST(JsonlArticles, ParsesTheEvalFormatAndReportsBadLines) {
  LoadResult out;
  parseJsonlArticles(
      "{\"id\":\"t1\",\"subject\":\"S1\",\"answer\":\"A1\",\"metadata\":{\"thread\":\"t\","
      "\"category\":\"mail\"}}\n"
      "\n"
      "not json\n"
      "{\"id\":7,\"subject\":\"S2\",\"answer\":\"A2\"}\n"
      "{\"id\":\"t3\",\"subject\":\"\",\"answer\":\"A3\"}\n",
      "kb.jsonl", out);
  ASSERT_EQ(out.articles.size(), 2u);
  EXPECT_EQ(out.articles[0].category, "mail");
  EXPECT_EQ(out.articles[0].metadata["thread"], "t");
  EXPECT_EQ(out.articles[1].id, "7");
  ASSERT_EQ(out.problems.size(), 2u);
  EXPECT_EQ(out.problems[0].where, "kb.jsonl:3");
  EXPECT_EQ(out.problems[1].where, "kb.jsonl:5");
}

TEST(Csv, HandlesQuotesEscapesAndNewlines) {
  const auto rows =
      parseCsv("id,subject,answer\r\n1,\"Printer, offline\",\"Line one\nLine \"\"two\"\"\"\n2,b,c");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1], "Printer, offline");
  EXPECT_EQ(rows[1][2], "Line one\nLine \"two\"");
  EXPECT_EQ(rows[2][2], "c");
  EXPECT_THROW(parseCsv("a,\"b"), std::runtime_error);
}

TEST(CsvArticles, MapsColumnsByHeader) {
  LoadResult out;
  parseCsvArticles("Answer,ID,Question,Tags\n\"Do this.\",c1,How?,a;b\n", "faq.csv", out);
  ASSERT_EQ(out.articles.size(), 1u);
  EXPECT_EQ(out.articles[0].id, "c1");
  EXPECT_EQ(out.articles[0].subject, "How?");
  EXPECT_EQ(out.articles[0].tags, (std::vector<std::string>{"a", "b"}));
  LoadResult bad;
  parseCsvArticles("foo,bar\n1,2\n", "bad.csv", bad);
  EXPECT_EQ(bad.problems.size(), 1u);
}

TEST(KnowledgeBaseFolder, LoadsAllFormatsSkipsDocsAndRejectsDuplicates) {
  const auto dir = std::filesystem::temp_directory_path() / "chatbot-kb-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "README.md") << "# not an article";
  std::ofstream(dir / "sub" / "a.md") << "---\nid: a\nsubject: A\n---\nBody A";
  std::ofstream(dir / "b.jsonl") << "{\"id\":\"b\",\"subject\":\"B\",\"answer\":\"Body B\"}\n";
  std::ofstream(dir / "c.csv") << "id,subject,answer\na,Dup,Body\nc,C,Body C\n";
  const auto result = loadKnowledgeBase(dir);
  EXPECT_EQ(result.files.size(), 3u);
  ASSERT_EQ(result.articles.size(), 3u);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_NE(result.problems[0].message.find("duplicate"), std::string::npos);
  const auto hash = result.content_hash;
  std::ofstream(dir / "b.jsonl", std::ios::app)
      << "{\"id\":\"d\",\"subject\":\"D\",\"answer\":\"x\"}\n";
  EXPECT_NE(loadKnowledgeBase(dir).content_hash, hash);
  std::filesystem::remove_all(dir);
}

TEST(BundledKnowledgeBase, HasAtLeast150ValidArticlesCoveringTheServiceDesk) {
  const auto result = loadKnowledgeBase(std::string(CHATBOT_SOURCE_DIR) + "/data/kb");
  for (const auto& p : result.problems) ADD_FAILURE() << p.where << ": " << p.message;
  EXPECT_GE(result.articles.size(), 150u);
  std::set<std::string> categories;
  for (const auto& a : result.articles) {
    categories.insert(a.category);
    EXPECT_FALSE(a.tags.empty()) << a.id;
    EXPECT_NE(a.body.find("1. "), std::string::npos) << a.id << " has no numbered steps";
  }
  for (const char* c : {"accounts", "network", "collaboration", "devices", "software", "security",
                        "service-desk"}) {
    EXPECT_TRUE(categories.count(c)) << c;
  }
}

}  // namespace
}  // namespace chatbot::kb
