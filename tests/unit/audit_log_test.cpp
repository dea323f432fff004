// The audit trail's writer (auth/audit_log.h): entries reach the store in batches, soon and in
// order, and what is queued is written before the log goes away.
#include "auth/audit_log.h"

#include <gtest/gtest.h>

#include <thread>

#include "contracts/store_contract.h"
#include "store/sqlite_store.h"

namespace chatbot::auth {
namespace {

store::AuditEntry entry(int n) {
  store::AuditEntry e;
  e.at_ms = store::contract::kT0 + n;
  e.action = "PATCH /api/v1/tickets/{ticket_id}";
  e.target = store::contract::numbered("/api/v1/tickets/IT-", n);
  e.outcome = 200;
  e.request_id = store::contract::numbered("r", n);
  return e;
}

TEST(AuditLog, EntriesReachTheStoreSoonAndInOrder) {
  store::contract::ScratchDir scratch;
  auto store = std::make_shared<store::SqliteStore>(scratch.path() / "audit.db");
  AuditLog log(store, {std::chrono::milliseconds(20), 2, 1000});
  for (int i = 1; i <= 5; ++i) log.record(entry(i));
  store::AuditPage page;
  for (int i = 0; i < 200 && page.entries.size() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    page = store->audit({});
  }
  ASSERT_EQ(page.entries.size(), 5u);
  EXPECT_EQ(page.entries.front().request_id, "r5");  // newest first
  EXPECT_EQ(page.entries.back().request_id, "r1");
  EXPECT_EQ(log.dropped(), 0u);
}

TEST(AuditLog, WhatIsQueuedIsWrittenBeforeTheLogGoes) {
  store::contract::ScratchDir scratch;
  auto store = std::make_shared<store::SqliteStore>(scratch.path() / "audit.db");
  {
    AuditLog log(store, {std::chrono::hours(1), 500, 1000});
    for (int i = 1; i <= 3; ++i) log.record(entry(i));
  }
  EXPECT_EQ(store->audit({}).entries.size(), 3u);
}

TEST(AuditLog, RecordIsSafeFromManyThreads) {
  store::contract::ScratchDir scratch;
  auto store = std::make_shared<store::SqliteStore>(scratch.path() / "audit.db");
  {
    AuditLog log(store, {std::chrono::milliseconds(1), 50, 100000});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 100; ++i) log.record(entry(t * 1000 + i));
      });
    }
    for (auto& thread : threads) thread.join();
  }
  store::AuditQuery all;
  all.limit = 1000;
  EXPECT_EQ(store->audit(all).entries.size(), 400u);
}

}  // namespace
}  // namespace chatbot::auth
