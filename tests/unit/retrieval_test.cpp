#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/knowledge_index.h"
#include "retrieval/synonyms.h"

namespace chatbot::retrieval {
namespace {

namespace fs = std::filesystem;

TEST(Synonyms, VariantsMapToCanonicalTermsOnBothSides) {
  const auto table = SynonymTable::parse(
      "# comment\nwifi: wi-fi, wireless, wlan, wireless network\nsignin: sign in, log in, log on, login\n");
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
  EXPECT_EQ(SynonymTable::parse("a: b # x").fingerprint(), SynonymTable::parse("a:b").fingerprint());
}

// Builds an index of the bundled KB once for all ranking tests.
class BundledIndex : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("chatbot-retrieval-test-" + std::to_string(::getpid()));
    ingest::IndexOptions o;
    o.kb_path = std::string(CHATBOT_SOURCE_DIR) + "/data/kb";
    o.data_dir = dir_;
    o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
    index_ = ingest::KnowledgeIndex::open(o);
  }
  static void TearDownTestSuite() {
    index_.reset();
    fs::remove_all(dir_);
  }
  static std::string top(std::string_view query) {
    const auto hits = index_->retriever().search(query, 5);
    return hits.empty() ? "" : index_->articles()[hits[0].article].id;
  }
  static inline fs::path dir_;
  static inline std::shared_ptr<const ingest::KnowledgeIndex> index_;
};

TEST_F(BundledIndex, RanksTheRightArticleFirstForEverydayQuestions) {
  // One question per service-desk area, phrased as an employee would, with synonyms the article
  // does not necessarily use.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"How do I reset my password on my MacBook Air?", "acc-mac-password-reset"},
      {"I'm locked out of my Windows laptop after too many attempts", "acc-windows-lockout"},
      {"set up 2FA with the Microsoft Authenticator app", "acc-mfa-microsoft-authenticator-setup"},
      {"got a new phone, how do I move my authenticator", "acc-mfa-new-phone"},
      {"VPN won't connect", "net-vpn-wont-connect"},
      {"connected to WLAN but there is no internet", "net-wifi-connected-no-internet"},
      {"generate an ssh key", "net-ssh-key-generate"},
      {"my mic doesn't work in Teams", "col-teams-microphone-not-working"},
      {"OneDrive is not syncing my files", "col-onedrive-not-syncing"},
      {"print job stuck in the queue", "dev-print-job-stuck"},
      {"my laptop's disk is full", "dev-disk-full"},
      {"I think I clicked a phishing link and typed my password", "sec-clicked-phishing-link"},
      {"how do I contact the helpdesk", "sd-contact-service-desk"},
  };
  for (const auto& [query, expected] : cases) EXPECT_EQ(top(query), expected) << query;
}

TEST_F(BundledIndex, ScoresAreNormalisedAndNonIncreasing) {
  const auto hits = index_->retriever().search("outlook not syncing email", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_LE(hits.size(), 10u);
  for (std::size_t i = 0; i < hits.size(); ++i) {
    EXPECT_GE(hits[i].score, 0.0);
    EXPECT_LE(hits[i].score, 1.0);
    if (i > 0) {
      EXPECT_LE(hits[i].score, hits[i - 1].score);
    }
  }
}

TEST_F(BundledIndex, OffTopicQuestionsScoreLowOrFindNothing) {
  EXPECT_TRUE(index_->retriever().search("chocolate cake recipe", 5).empty());
  const auto hits = index_->retriever().search("best hiking trails near the printer", 5);
  if (!hits.empty()) {
    EXPECT_LT(hits[0].score, 0.6);
  }
  EXPECT_TRUE(index_->retriever().search("", 5).empty());
  EXPECT_TRUE(index_->retriever().search("the and of", 5).empty());
}

TEST_F(BundledIndex, OperatorsInProseAreNotSyntax) {
  EXPECT_EQ(top("VPN -- NOT connecting AND \"error\" OR (timeout)*").rfind("net-vpn-", 0), 0u);
}

TEST_F(BundledIndex, ReopeningAnUnchangedKbReusesTheIndex) {
  ingest::IndexOptions o;
  o.kb_path = std::string(CHATBOT_SOURCE_DIR) + "/data/kb";
  o.data_dir = dir_;
  o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
  const auto again = ingest::KnowledgeIndex::open(o);
  EXPECT_FALSE(again->info().rebuilt);
  EXPECT_EQ(again->info().identity, index_->info().identity);
}

TEST(KnowledgeIndex, RebuildsWhenTheKbChangesAndServesWithoutTheKb) {
  const fs::path root = fs::temp_directory_path() / ("chatbot-ki-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "kb");
  std::ofstream(root / "kb" / "a.md") << "---\nid: a\nsubject: Printer offline\n---\n1. Restart the printer.";
  ingest::IndexOptions o;
  o.kb_path = root / "kb";
  o.data_dir = root / "data";
  const auto first = ingest::KnowledgeIndex::open(o);
  EXPECT_TRUE(first->info().rebuilt);
  std::ofstream(root / "kb" / "b.md") << "---\nid: b\nsubject: VPN fails\n---\n1. Reconnect.";
  const auto second = ingest::KnowledgeIndex::open(o);
  EXPECT_TRUE(second->info().rebuilt);
  EXPECT_EQ(second->articles().size(), 2u);
  EXPECT_NE(second->info().identity, first->info().identity);
  // Deployed without the KB folder: the current index still serves.
  fs::remove_all(root / "kb");
  const auto third = ingest::KnowledgeIndex::open(o);
  EXPECT_EQ(third->articles().size(), 2u);
  EXPECT_EQ(third->retriever().search("vpn", 1).size(), 1u);
  fs::remove_all(root);
}

TEST(KnowledgeIndex, NoKbAndNoIndexIsAClearError) {
  ingest::IndexOptions o;
  o.kb_path = "/nonexistent/kb";
  o.data_dir = fs::temp_directory_path() / ("chatbot-empty-" + std::to_string(::getpid()));
  try {
    ingest::KnowledgeIndex::open(o);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("KB_DIR"), std::string::npos);
  }
  fs::remove_all(o.data_dir);
}

}  // namespace
}  // namespace chatbot::retrieval
