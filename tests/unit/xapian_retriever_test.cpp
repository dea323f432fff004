// XapianRetriever (BM25 over the bundled knowledge base, with the bundled synonyms): the
// Retriever contract (tests/contracts/retriever_contract.cpp), then ranking quality on
// everyday service-desk questions.
#include "retrieval/xapian_retriever.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "contracts/retriever_contract.h"
#include "ingest/knowledge_index.h"

namespace chatbot::retrieval {
namespace {

namespace fs = std::filesystem;

ingest::IndexOptions bundledKb(const fs::path& data_dir) {
  ingest::IndexOptions o;
  o.kb_path = std::string(CHATBOT_SOURCE_DIR) + "/data/kb";
  o.data_dir = data_dir;
  o.synonyms_file = std::string(CHATBOT_SOURCE_DIR) + "/data/synonyms.txt";
  return o;
}

contract::RetrieverUnderTest xapianOnBundledKb(const fs::path& scratch_dir) {
  const auto index = ingest::KnowledgeIndex::open(bundledKb(scratch_dir));
  return {{index, &index->retriever()}, {index, &index->articles()}};
}

}  // namespace

namespace contract {
INSTANTIATE_TEST_SUITE_P(Xapian, RetrieverContract,
                         ::testing::Values(RetrieverBackend{"Xapian", xapianOnBundledKb}),
                         retrieverBackendName);
}  // namespace contract

namespace {

// Builds an index of the bundled KB once for all ranking tests.
class XapianRetrieverOnBundledKb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("chatbot-retrieval-test-" + std::to_string(::getpid()));
    index_ = ingest::KnowledgeIndex::open(bundledKb(dir_));
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

TEST_F(XapianRetrieverOnBundledKb, RanksTheRightArticleFirstForEverydayQuestions) {
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

TEST_F(XapianRetrieverOnBundledKb, ScoresAreNormalisedAndNonIncreasing) {
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

TEST_F(XapianRetrieverOnBundledKb, OffTopicQuestionsScoreLowOrFindNothing) {
  EXPECT_TRUE(index_->retriever().search("chocolate cake recipe", 5).empty());
  const auto hits = index_->retriever().search("best hiking trails near the printer", 5);
  if (!hits.empty()) {
    EXPECT_LT(hits[0].score, 0.6);
  }
  EXPECT_TRUE(index_->retriever().search("", 5).empty());
  EXPECT_TRUE(index_->retriever().search("the and of", 5).empty());
}

TEST_F(XapianRetrieverOnBundledKb, OperatorsInProseAreNotSyntax) {
  EXPECT_EQ(top("VPN -- NOT connecting AND \"error\" OR (timeout)*").rfind("net-vpn-", 0), 0u);
}

}  // namespace
}  // namespace chatbot::retrieval
