// Ticket drafting from a conversation or a description: subject, category, priority, transcript
// and the articles tried.
#include "support/ticket_builder.h"

#include <gtest/gtest.h>

namespace chatbot::support {
namespace {

store::Exchange exchange(const std::string& query, const std::string& article,
                         const std::string& category) {
  store::Exchange e;
  e.message_id = "m-" + query;
  e.query = query;
  e.standalone_query = query;
  e.response = "Try this.";
  e.answered = true;
  if (!article.empty()) e.sources.push_back({article, "Subject of " + article, category, "", 0.8});
  return e;
}

TEST(TicketBuilder, AConversationGivesSubjectCategoryTranscriptAndArticlesTried) {
  TicketDraft draft;
  draft.session_id = "s1";
  draft.contact = "alex@example.com";
  const std::vector<store::Exchange> transcript = {
      exchange("Wifi drops every few minutes", "net-wifi", "network"),
      exchange("it still doesn't work", "net-wifi", "network"),
      exchange("and the VPN?", "net-vpn", "")};
  const auto t = buildTicket(draft, transcript, {});
  EXPECT_EQ(t.subject, "Wifi drops every few minutes");
  EXPECT_EQ(t.category, "network");  // the latest answer's source had none: the one before it
  ASSERT_EQ(t.articles_tried.size(), 2u);
  EXPECT_EQ(t.articles_tried[0].article_id, "net-wifi");
  EXPECT_EQ(t.articles_tried[1].article_id, "net-vpn");
  EXPECT_EQ(t.transcript.size(), 3u);
  EXPECT_NE(t.description.find("- and the VPN?"), std::string::npos);
  EXPECT_EQ(t.priority, store::TicketPriority::kNormal);
  EXPECT_EQ(t.contact, "alex@example.com");
}

TEST(TicketBuilder, ADescriptionAloneTakesItsCategoryFromRetrieval) {
  TicketDraft draft;
  draft.description =
      "Outlook crashes when I open a shared calendar.\nIt started after the update.";
  const auto t =
      buildTicket(draft, {}, {{"col-outlook", "Outlook crashes", "collaboration", "", 0.7}});
  EXPECT_EQ(t.subject, "Outlook crashes when I open a shared calendar.");
  EXPECT_EQ(t.category, "collaboration");
  EXPECT_TRUE(t.articles_tried.empty());
  EXPECT_EQ(buildTicket(draft, {}, {}).category, "general");
  draft.priority = store::TicketPriority::kHigh;
  EXPECT_EQ(buildTicket(draft, {}, {}).priority, store::TicketPriority::kHigh);
}

TEST(TicketBuilder, PriorityFollowsImpact) {
  EXPECT_EQ(inferPriority("I think I clicked a link in a phishing mail"),
            store::TicketPriority::kUrgent);
  EXPECT_EQ(inferPriority("My laptop was stolen at the airport"), store::TicketPriority::kUrgent);
  EXPECT_EQ(inferPriority("The file server is down for the whole team"),
            store::TicketPriority::kHigh);
  EXPECT_EQ(inferPriority("URGENT: cannot work without VPN"), store::TicketPriority::kHigh);
  EXPECT_EQ(inferPriority("I would like a second monitor"), store::TicketPriority::kLow);
  EXPECT_EQ(inferPriority("Outlook asks for my password again"), store::TicketPriority::kNormal);
}

TEST(TicketBuilder, LongSubjectsAreCutAtAWord) {
  const std::string longer(30, 'x');
  const std::string s = shortSubject("Word " + longer + " " + longer + " " + longer, 80);
  EXPECT_LE(s.size(), 80u + 3);
  EXPECT_EQ(s.substr(s.size() - 3), "\xE2\x80\xA6");
  EXPECT_EQ(shortSubject("short one"), "short one");
}

}  // namespace
}  // namespace chatbot::support
