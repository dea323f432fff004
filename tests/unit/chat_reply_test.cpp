#include "api/chat_reply.h"

#include <gtest/gtest.h>

#include "util/utf8.h"

namespace chatbot::api {
namespace {

TEST(ChatReplyWriter, SplicesPreSerialisedArticlesIntoValidJson) {
  std::vector<kb::Article> articles(2);
  articles[0].id = "a";
  articles[0].subject = "Quote \" and backslash \\ and \xC3\xA9";
  articles[0].body = "Line 1\nLine 2\t<tab>";
  articles[0].category = "network";
  articles[0].metadata = {{"owner", "it"}};
  articles[1].id = "b";
  articles[1].subject = "Second";
  articles[1].body = "Body";
  const ChatReplyWriter writer(articles);

  rag::ChatAnswer answer;
  answer.response = "Do \"this\".";
  answer.query = "q [REDACTED]";
  answer.context_used = "ctx";
  answer.results = {{&articles[1], 0.75}, {&articles[0], 0.5}};
  answer.generator = "extractive";
  answer.answered = true;
  answer.warnings = {"w1", "w2"};
  const auto reply = nlohmann::json::parse(writer.write(answer, "rid-1", 0.00123));

  EXPECT_EQ(reply["response"], "Do \"this\".");
  EXPECT_EQ(reply["query"], "q [REDACTED]");
  EXPECT_EQ(reply["context_used"], "ctx");
  ASSERT_EQ(reply["search_results"].size(), 2u);
  EXPECT_EQ(reply["search_results"][0]["subject"], "Second");
  EXPECT_DOUBLE_EQ(reply["search_results"][0]["score"].get<double>(), 0.75);
  EXPECT_EQ(reply["search_results"][1]["subject"], articles[0].subject);
  EXPECT_EQ(reply["search_results"][1]["answer"], articles[0].body);
  EXPECT_EQ(reply["search_results"][1]["metadata"]["owner"], "it");
  EXPECT_EQ(reply["search_results"][1]["metadata"]["id"], "a");
  EXPECT_EQ(reply["search_results"][1]["metadata"]["category"], "network");
  EXPECT_DOUBLE_EQ(reply["processing_time"].get<double>(), 0.00123);
  EXPECT_TRUE(reply["timestamp"].is_string());
  EXPECT_EQ(reply["request_id"], "rid-1");
  EXPECT_EQ(reply["generator"], "extractive");
  EXPECT_EQ(reply["answered"], true);
  EXPECT_EQ(reply["warnings"], (nlohmann::json{"w1", "w2"}));

  rag::ChatAnswer empty;
  empty.generator = "extractive";
  const auto none = nlohmann::json::parse(writer.write(empty, "r", 0));
  EXPECT_TRUE(none["search_results"].empty());
  EXPECT_EQ(none["answered"], false);
  EXPECT_TRUE(none["warnings"].empty());
}

TEST(ChatReplyWriter, ContextUsedHasTheReferenceShapeAndSearchResultsTheWholeArticle) {
  std::vector<kb::Article> articles(1);
  articles[0].id = "long";
  articles[0].subject = "A long article";
  for (int i = 0; i < 200; ++i) articles[0].body += "Word" + std::to_string(i) + " caf\xC3\xA9 ";
  const ChatReplyWriter writer(articles);
  rag::ChatAnswer answer;
  answer.context_used = articles[0].subject + "\n\n" + articles[0].body;
  answer.results = {{&articles[0], 0.9}};
  answer.sources_used = 1;
  const auto reply = nlohmann::json::parse(writer.write(answer, "r", 0));
  const std::string context = reply["context_used"];
  EXPECT_LE(util::codePointCount(context), 503u);
  EXPECT_GE(util::codePointCount(context), 450u);
  EXPECT_EQ(context.substr(context.size() - 3), "...");
  // Whole words of the article, from its start.
  const std::string kept = context.substr(0, context.size() - 3);
  EXPECT_EQ(answer.context_used.substr(0, kept.size()), kept);
  EXPECT_EQ(answer.context_used[kept.size()], ' ');
  EXPECT_EQ(reply["search_results"][0]["answer"], articles[0].body);

  answer.context_used = "Short article\n\nBody.";
  EXPECT_EQ(nlohmann::json::parse(writer.write(answer, "r", 0))["context_used"],
            "Short article\n\nBody.");
}

}  // namespace
}  // namespace chatbot::api
