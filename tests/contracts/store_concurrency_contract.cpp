// Store contract, concurrency: every method may be called from any thread at once.
#include <atomic>
#include <set>
#include <thread>

#include "contracts/store_contract.h"

namespace chatbot::store::contract {

WorkloadOutcome runConcurrentWorkload(Store& store) {
  const SessionPolicy policy{1000, kHour};
  std::atomic<int> failures{0};
  std::atomic<int> created_with_shared_key{0};
  std::atomic<bool> writers_done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWorkloadThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kWorkloadPerThread; ++i) {
          const std::string id = numbered(numbered("m-", t) + "-", i);
          // Two threads share each session, so appends to one session interleave.
          store.appendExchange(
              exchange(numbered("s", t / 2), id, kT0 + i, {source(numbered("kb-", i % 3))}),
              policy);
          store.recordFeedback(vote(id, i % 2 == 0, kT0 + i));
          store.createTicket(newTicket(id, "key-" + id), kT0 + i, /*notify=*/true);
          if (store.createTicket(newTicket("shared", "shared-key"), kT0, true).created)
            ++created_with_shared_key;
        }
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  std::thread reader([&] {
    try {
      while (!writers_done) {
        const Stats stats = store.stats(3);
        EXPECT_LE(stats.feedback, stats.questions);
        store.listTickets({});
        store.recentExchanges("s0", 5, kT0);
      }
    } catch (const std::exception& e) {
      ++failures;
      ADD_FAILURE() << e.what();
    }
  });
  for (auto& thread : threads) thread.join();
  writers_done = true;
  reader.join();
  return {failures.load(), created_with_shared_key.load()};
}

namespace {

// Writers on every kind of write at once, with readers alongside: every call succeeds, nothing is
// lost or duplicated.
TEST_P(StoreConcurrencyContract, ConcurrentWritersAndReaders) {
  const WorkloadOutcome outcome = runConcurrentWorkload(store());
  ASSERT_EQ(outcome.failures, 0);

  constexpr int kTotal = kWorkloadThreads * kWorkloadPerThread;
  EXPECT_EQ(outcome.created_with_shared_key, 1);
  const Stats stats = store().stats(10);
  EXPECT_EQ(stats.questions, kTotal);
  EXPECT_EQ(stats.feedback, kTotal);
  EXPECT_EQ(stats.tickets, kTotal + 1);
  EXPECT_EQ(store().dueEvents(kT0 + kHour, 10'000).size(), static_cast<std::size_t>(kTotal + 1));
  for (int s = 0; s < kWorkloadThreads / 2; ++s) {
    const auto session = store().session(numbered("s", s), kT0);
    ASSERT_TRUE(session);
    EXPECT_EQ(session->exchanges.size(), static_cast<std::size_t>(2 * kWorkloadPerThread));
  }
  std::set<std::int64_t> ids;
  for (TicketListQuery query{std::nullopt, std::nullopt, 64};;) {
    const auto page = store().listTickets(query);
    for (const auto& t : page.tickets) EXPECT_TRUE(ids.insert(t.id).second) << t.id;
    if (!page.next_before_id) break;
    query.before_id = page.next_before_id;
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kTotal + 1));
}

}  // namespace
}  // namespace chatbot::store::contract
