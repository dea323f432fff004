// Retriever contract: ranking order and score range, the k limit, queries with nothing to search
// for, valid article positions, thread safety, and finding an article by its subject.
#include "contracts/retriever_contract.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

namespace chatbot::retrieval::contract {

void RetrieverContract::SetUp() {
  std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  test = test.substr(0, test.find('/'));
  if (const auto known = GetParam().known_failures.find(test);
      known != GetParam().known_failures.end()) {
    GTEST_SKIP() << "known bug in " << GetParam().name << ": " << known->second;
  }
  if (built_ && built_for_ == GetParam().name) return;
  TearDownTestSuite();
  scratch_dir_ = fs::temp_directory_path() / ("chatbot-retriever-contract-" +
                                              std::to_string(::getpid()) + "-" + GetParam().name);
  fs::remove_all(scratch_dir_);
  built_ = std::make_unique<RetrieverUnderTest>(GetParam().make(scratch_dir_));
  built_for_ = GetParam().name;
  ASSERT_TRUE(built_->retriever);
  ASSERT_TRUE(built_->articles);
  ASSERT_FALSE(built_->articles->empty());
}

void RetrieverContract::TearDownTestSuite() {
  built_.reset();
  built_for_.clear();
  if (!scratch_dir_.empty()) fs::remove_all(scratch_dir_);
}

namespace {

// Everyday service-desk questions: each finds something in any IT knowledge base.
const std::vector<std::string> kQueries = {"printer offline", "vpn does not connect",
                                           "reset my password", "outlook not syncing email",
                                           "wifi keeps dropping"};

std::vector<std::size_t> articlesOf(const std::vector<Hit>& hits) {
  std::vector<std::size_t> out;
  for (const auto& h : hits) out.push_back(h.article);
  return out;
}

TEST_P(RetrieverContract, HasAName) {
  EXPECT_FALSE(retriever().name().empty());
}

TEST_P(RetrieverContract, ResultsAreBestFirstWithScoresBetweenZeroAndOne) {
  for (const auto& query : kQueries) {
    const auto hits = retriever().search(query, 10);
    EXPECT_FALSE(hits.empty()) << query;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      EXPECT_GE(hits[i].score, 0.0) << query;
      EXPECT_LE(hits[i].score, 1.0) << query;
      if (i > 0) {
        EXPECT_LE(hits[i].score, hits[i - 1].score) << query << " at " << i;
      }
    }
  }
}

TEST_P(RetrieverContract, ReturnsAtMostKResultsAndTheBestOfThemFirst) {
  for (const auto& query : kQueries) {
    const auto all = retriever().search(query, 10);
    for (const std::size_t k : {1u, 2u, 3u}) {
      const auto hits = retriever().search(query, k);
      EXPECT_LE(hits.size(), k) << query;
      EXPECT_EQ(hits.size(), std::min(k, all.size())) << query;
      if (!hits.empty() && !all.empty()) {
        EXPECT_DOUBLE_EQ(hits[0].score, all[0].score) << query;
      }
    }
  }
}

TEST_P(RetrieverContract, ZeroResultsAskedGivesNone) {
  for (const auto& query : kQueries) EXPECT_TRUE(retriever().search(query, 0).empty()) << query;
}

TEST_P(RetrieverContract, EmptyOrBlankQueryGivesNothingAndDoesNotThrow) {
  for (const std::string query : {"", " ", "   \t\n  "}) {
    std::vector<Hit> hits;
    EXPECT_NO_THROW(hits = retriever().search(query, 5)) << '"' << query << '"';
    EXPECT_TRUE(hits.empty()) << '"' << query << '"';
  }
}

TEST_P(RetrieverContract, PunctuationOnlyQueryGivesNothingAndDoesNotThrow) {
  for (const std::string query : {"?", "?!...", "-- * () \"\" ;:,"}) {
    std::vector<Hit> hits;
    EXPECT_NO_THROW(hits = retriever().search(query, 5)) << query;
    EXPECT_TRUE(hits.empty()) << query;
  }
}

TEST_P(RetrieverContract, ArticlePositionsAreValidAndDistinct) {
  for (const auto& query : kQueries) {
    const auto hits = retriever().search(query, articles().size() + 5);
    EXPECT_LE(hits.size(), articles().size()) << query;
    std::set<std::size_t> seen;
    for (const auto& h : hits) {
      EXPECT_LT(h.article, articles().size()) << query;
      EXPECT_TRUE(seen.insert(h.article).second) << query << ": article " << h.article << " twice";
    }
  }
}

TEST_P(RetrieverContract, ConcurrentSearchesGiveTheSequentialResults) {
  std::vector<std::vector<Hit>> sequential;
  for (const auto& query : kQueries) sequential.push_back(retriever().search(query, 4));
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t q = 0; q < kQueries.size(); ++q) {
          const auto hits = retriever().search(kQueries[q], 4);
          if (articlesOf(hits) != articlesOf(sequential[q])) ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int m : mismatches) EXPECT_EQ(m, 0);
}

TEST_P(RetrieverContract, AQueryNamingAnArticlesSubjectFindsIt) {
  // Every article, or an even spread of 20 in a large knowledge base.
  const std::size_t step = std::max<std::size_t>(1, articles().size() / 20);
  for (std::size_t i = 0; i < articles().size(); i += step) {
    const auto top = articlesOf(retriever().search(articles()[i].subject, 3));
    EXPECT_NE(std::find(top.begin(), top.end(), i), top.end())
        << articles()[i].id << ": \"" << articles()[i].subject << "\" not in the top 3";
  }
}

}  // namespace
}  // namespace chatbot::retrieval::contract
