#pragma once
// The contract every store::Store backend must pass, as value-parameterised GoogleTest suites
// over a factory. The suites are defined by concept in store_*_contract.cpp; a backend's test
// instantiates all of them with STORE_CONTRACT_INSTANTIATE (see tests/unit/sqlite_store_test.cpp):
//
//   namespace chatbot::store::contract {  // the suites' names must resolve unqualified
//   STORE_CONTRACT_INSTANTIATE(Sqlite, (StoreBackend{"Sqlite", makeSqliteStore}));
//   }
//
// Each test gets a fresh, empty scratch folder that does not exist yet; the factory makes an
// empty store there (a file, or for a server database a schema of its own, which it drops when
// that store is destroyed: the folder is all the contract removes). Times are explicit
// EpochMs values, so nothing depends on the clock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"

namespace chatbot::store::contract {

namespace fs = std::filesystem;

using StoreFactory = std::function<std::unique_ptr<Store>(const fs::path& scratch_dir)>;

struct StoreBackend {
  std::string name;  // letters and digits only: it becomes part of the test names
  StoreFactory make;
};

inline void PrintTo(const StoreBackend& backend, std::ostream* out) {
  *out << backend.name;
}

constexpr EpochMs kT0 = 1'800'000'000'000;  // an arbitrary "now"
constexpr std::int64_t kHour = 3'600'000;

// "m" + std::to_string(n) in a loop trips a false GCC 12 -Wrestrict warning; appending does not.
inline std::string numbered(std::string prefix, int n) {
  prefix += std::to_string(n);
  return prefix;
}

inline CitedSource source(const std::string& article_id, double score = 0.5) {
  return {article_id, "Subject of " + article_id, "network", "https://kb.example/" + article_id,
          score};
}

inline Exchange exchange(const std::string& session_id, const std::string& message_id, EpochMs at,
                         std::vector<CitedSource> sources = {}) {
  Exchange e;
  e.message_id = message_id;
  e.session_id = session_id;
  e.created_ms = at;
  e.query = "question " + message_id;
  e.standalone_query = "standalone question " + message_id;
  e.response = "answer " + message_id;
  e.sources = std::move(sources);
  e.answered = !e.sources.empty();
  e.generator = "extractive";
  return e;
}

inline Feedback vote(const std::string& message_id, bool helpful, EpochMs at,
                     const std::string& comment = "") {
  return {message_id, helpful, comment, at};
}

inline NewTicket newTicket(const std::string& subject, const std::string& idempotency_key = "") {
  NewTicket t;
  t.session_id = "s1";
  t.subject = subject;
  t.description = "description of " + subject;
  t.category = "network";
  t.priority = TicketPriority::kHigh;
  t.contact = "user@example.com";
  t.idempotency_key = idempotency_key;
  return t;
}

inline std::vector<std::string> messageIds(const std::vector<Exchange>& exchanges) {
  std::vector<std::string> ids;
  for (const auto& e : exchanges) ids.push_back(e.message_id);
  return ids;
}

inline std::vector<std::int64_t> ticketIds(const TicketPage& page) {
  std::vector<std::int64_t> ids;
  for (const auto& t : page.tickets) ids.push_back(t.id);
  return ids;
}

// A scratch folder per test, named after the test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    for (char& c : name)
      if (c == '/') c = '_';
    path_ = fs::temp_directory_path() / (numbered("chatbot-store-test-", ::getpid()) + "-" + name);
    fs::remove_all(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class StoreContract : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void TearDown() override { store_.reset(); }
  // The backend's store in this test's scratch folder, made on first use.
  Store& store() {
    if (!store_) store_ = GetParam().make(scratch_.path());
    return *store_;
  }

  ScratchDir scratch_;
  std::unique_ptr<Store> store_;
};

// One suite per concept, so a failure says which part of the contract broke.
class StoreSessionsContract : public StoreContract {};
class StoreFeedbackContract : public StoreContract {};
class StoreTicketsContract : public StoreContract {};
class StoreOutboxContract : public StoreContract {};
class StoreConcurrencyContract : public StoreContract {};

// The writers-and-readers workload of StoreConcurrencyContract, also run by backend tests that
// check their own bookkeeping afterwards: kWorkloadThreads writers on every kind of write at once
// (two per session, so appends to one session interleave), with a reader alongside.
constexpr int kWorkloadThreads = 8;
constexpr int kWorkloadPerThread = 50;
struct WorkloadOutcome {
  int failures = 0;                 // calls that threw (each also reported as a test failure)
  int created_with_shared_key = 0;  // creates with one shared idempotency key that created
};
WorkloadOutcome runConcurrentWorkload(Store& store);

inline std::string backendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

}  // namespace chatbot::store::contract

// Instantiates every store contract suite for one backend.
#define STORE_CONTRACT_INSTANTIATE(prefix, backend)                                     \
  INSTANTIATE_TEST_SUITE_P(prefix, StoreSessionsContract, ::testing::Values backend,    \
                           ::chatbot::store::contract::backendName);                    \
  INSTANTIATE_TEST_SUITE_P(prefix, StoreFeedbackContract, ::testing::Values backend,    \
                           ::chatbot::store::contract::backendName);                    \
  INSTANTIATE_TEST_SUITE_P(prefix, StoreTicketsContract, ::testing::Values backend,     \
                           ::chatbot::store::contract::backendName);                    \
  INSTANTIATE_TEST_SUITE_P(prefix, StoreOutboxContract, ::testing::Values backend,      \
                           ::chatbot::store::contract::backendName);                    \
  INSTANTIATE_TEST_SUITE_P(prefix, StoreConcurrencyContract, ::testing::Values backend, \
                           ::chatbot::store::contract::backendName)
