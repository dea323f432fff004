// support::ExchangeWriter (group commit of chat exchanges) over a real SqliteStore: every append is
// committed and acknowledged exactly once, a bad exchange fails alone, callbacks come in commit
// order after their commit, and destruction drains what is queued.
#include "support/exchange_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"

namespace chatbot::support {
namespace {

namespace fs = std::filesystem;

constexpr store::EpochMs kT0 = 1'800'000'000'000;

store::Exchange exchange(const std::string& session, const std::string& message) {
  store::Exchange e;
  e.message_id = message;
  e.session_id = session;
  e.created_ms = kT0;
  e.query = "printer is offline";
  e.standalone_query = e.query;
  e.response = "Restart the print spooler.";
  e.answered = true;
  e.generator = "extractive";
  return e;
}

class ExchangeWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("chatbot-writer-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    store_ = std::make_shared<store::SqliteStore>(dir_ / "store.db");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::size_t storedIn(const std::string& session) {
    return store_->recentExchanges(session, 1000, kT0).exchanges.size();
  }

  fs::path dir_;
  std::shared_ptr<store::SqliteStore> store_;
};

TEST_F(ExchangeWriterTest, ManyWritersAreAllCommittedAndAcknowledgedOnce) {
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  std::mutex mutex;
  std::multiset<std::string> acknowledged;  // guarded by mutex
  std::atomic<int> failures{0};
  {
    ExchangeWriter writer(store_, {}, /*max_batch=*/7);  // small batches: the split path too
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          const std::string id = "m-" + std::to_string(t) + "-" + std::to_string(i);
          writer.append(exchange("s-" + std::to_string(t), id), [&, id](bool stored) {
            if (!stored) ++failures;
            const std::lock_guard lock(mutex);
            acknowledged.insert(id);
          });
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }  // the destructor commits what is still queued and runs its callbacks
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(std::set<std::string>(acknowledged.begin(), acknowledged.end()).size(),
            acknowledged.size());
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(storedIn("s-" + std::to_string(t)), static_cast<std::size_t>(kEach));
}

TEST_F(ExchangeWriterTest, ACallbackRunsAfterItsExchangeIsReadable) {
  std::promise<bool> visible;
  ExchangeWriter writer(store_, {});
  writer.append(exchange("s1", "m1"),
                [&](bool stored) { visible.set_value(stored && storedIn("s1") == 1); });
  EXPECT_TRUE(visible.get_future().get());
}

TEST_F(ExchangeWriterTest, ABadExchangeFailsAloneAndCallbacksKeepOrder) {
  std::vector<std::pair<std::string, bool>> outcomes;  // only the completion thread appends
  {
    ExchangeWriter writer(store_, {});
    const auto record = [&](std::string label) {
      return [&outcomes, label = std::move(label)](bool stored) {
        outcomes.emplace_back(label, stored);
      };
    };
    // Appended back to back, these usually share a transaction; the duplicate message id must then
    // fail only itself. Either way the outcome is the same.
    writer.append(exchange("s1", "m1"), record("first"));
    writer.append(exchange("s1", "m1"), record("duplicate"));
    writer.append(exchange("s1", "m2"), record("third"));
  }
  const std::vector<std::pair<std::string, bool>> expected = {
      {"first", true}, {"duplicate", false}, {"third", true}};
  EXPECT_EQ(outcomes, expected);
  EXPECT_EQ(storedIn("s1"), 2u);
}

}  // namespace
}  // namespace chatbot::support
