// rag/intents: small talk and requests recognised only when that is all a message says, the
// out-of-scope topic table, and the replies.
#include "rag/intents.h"

#include <gtest/gtest.h>

namespace chatbot::rag {
namespace {

TEST(DetectIntent, GreetingsThanksAndRequestsForAPersonOrATicket) {
  for (const char* m : {"hi", "Hello!", "good morning", "hey there, how are you?", "Hi team"}) {
    EXPECT_EQ(detectIntent(m), Intent::kGreeting) << m;
  }
  for (const char* m :
       {"thanks", "Thank you so much!", "great, that worked, thanks", "cheers", "bye"}) {
    EXPECT_EQ(detectIntent(m), Intent::kThanks) << m;
  }
  for (const char* m :
       {"talk to a human", "Can I speak to someone please?", "human", "connect me with an agent"}) {
    EXPECT_EQ(detectIntent(m), Intent::kHuman) << m;
  }
  for (const char* m :
       {"open a ticket", "I want to raise a ticket", "please create an incident", "escalate"}) {
    EXPECT_EQ(detectIntent(m), Intent::kTicket) << m;
  }
}

TEST(DetectIntent, AMessageWithATopicIsAQuestion) {
  for (const char* m : {"hi, my VPN keeps disconnecting", "thanks, but Outlook still crashes",
                        "good morning, the printer is offline", "How do I reset my password?",
                        "my ticket about the laptop was closed but the screen is still broken and "
                        "flickers all day long",
                        "the person who left had admin rights on the shared drive, how do I get "
                        "them moved to me",
                        ""}) {
    EXPECT_EQ(detectIntent(m), Intent::kNone) << m;
  }
}

TEST(OutOfScopeTopics, MatchesStemmedPhrasesAndNamesTheContact) {
  const auto table = OutOfScopeTopics::parse(
      "# comment\n"
      "HR | HR (hr@example.com) | annual leave, pension\n"
      "\n"
      "Facilities | Facilities (ext. 4000) | car park, heating # trailing comment\n");
  EXPECT_EQ(table.size(), 2U);
  const OutOfScopeTopic* hr = table.match("How many days of Annual Leaves do I have left?").topic;
  ASSERT_NE(hr, nullptr);
  EXPECT_EQ(hr->name, "HR");
  const auto found = table.match("The heating in room 3 is broken");
  const OutOfScopeTopic* facilities = found.topic;
  ASSERT_NE(facilities, nullptr);
  EXPECT_EQ(facilities->contact, "Facilities (ext. 4000)");
  EXPECT_EQ(*found.phrase, std::vector<std::string>{"heat"});
  EXPECT_EQ(table.match("car is parked outside").topic, nullptr) << "a phrase matches as a whole";
  EXPECT_EQ(table.match("annual report template").topic, nullptr);
  EXPECT_NE(intentReply(Intent::kOutOfScope, "IT", facilities).find("Facilities (ext. 4000)"),
            std::string::npos);
}

TEST(OutOfScopeTopics, MalformedLinesAreRejectedWithTheirNumber) {
  EXPECT_THROW(OutOfScopeTopics::parse("HR | hr@example.com\n"), std::runtime_error);
  try {
    OutOfScopeTopics::parse("HR | hr | leave\nPayroll | | salary\n");
    FAIL() << "an empty contact is accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(OutOfScopeTopics::parse("HR | hr | , ,\n"), std::runtime_error);
}

TEST(OutOfScopeTopics, TheBundledTableLoads) {
  const auto table =
      OutOfScopeTopics::load(std::string(CHATBOT_SOURCE_DIR) + "/data/out-of-scope.txt");
  EXPECT_GE(table.size(), 3U);
  const auto payslip = table.match("When is my payslip available?");
  ASSERT_NE(payslip.topic, nullptr);
  EXPECT_EQ(payslip.topic->name, "Payroll");
}

TEST(IntentReply, PointsToTheServiceDeskWhenAPersonIsAskedFor) {
  EXPECT_NE(intentReply(Intent::kHuman, "the IT Service Desk (ext. 4357)").find("ext. 4357"),
            std::string::npos);
  EXPECT_FALSE(intentReply(Intent::kGreeting, "x").empty());
  EXPECT_TRUE(intentReply(Intent::kNone, "x").empty());
  EXPECT_EQ(toString(Intent::kOutOfScope), "out_of_scope");
}

}  // namespace
}  // namespace chatbot::rag
