#pragma once
// Delivers the store's outbox to the ticket system in the background. Events are durable (the
// store queued them in the same transaction as the ticket change), so delivery survives restarts:
// a new worker simply starts from Store::dueEvents. Delivery is at least once: a send that
// succeeded but whose markDelivered failed (or a crash in between) is sent again, with the same
// X-Chatbot-Delivery id for the receiver to de-duplicate.
//
// Retry policy (per event):
//   - a failed attempt n (1-based) is retried after a delay drawn from
//     [nominal * (1 - jitter), nominal], nominal = min(backoff_cap, backoff_base * 2^(n-1));
//     the defaults give ~1 s, 2 s, 4 s, ... 512 s, then 10 min: 12 attempts span about 27 min.
//     The jitter spreads the retries of many events that failed together (a receiver outage);
//   - a Retry-After from the receiver (429/503) is a floor for that delay, at most max_retry_after;
//   - kTransient failures are retried until max_attempts; kRejected ones (4xx other than 408, 425,
//     429, 410) only until max_rejected_attempts (about two minutes), enough to ride out a
//     receiver's deploy or key rotation without pestering one that really refuses the payload for
//     long; kPermanent ones (redirects, 410, a bad URL) are given up at once. A given-up event
//     leaves the ticket's delivery "failed" with its last_error; the ticket's next change queues a
//     fresh event with the full ticket.
//   - an attempt cut short by stop() is not recorded: the event stays due and is sent first thing
//     after the next start.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <stop_token>
#include <thread>

#include "store/store.h"
#include "tickets/webhook_client.h"
#include "util/mutex.h"

namespace chatbot::tickets {

struct OutboxOptions {
  std::int64_t max_attempts = 12;  // at least 1
  // For kRejected; min(this, max_attempts) applies. 8 spans about two minutes with the defaults.
  std::int64_t max_rejected_attempts = 8;
  std::chrono::milliseconds backoff_base{1'000};
  std::chrono::milliseconds backoff_cap{10 * 60'000};
  double jitter = 0.5;  // fraction of the nominal delay that may be taken off at random, [0, 1]
  std::chrono::milliseconds max_retry_after{60 * 60'000};
  // The longest the worker sleeps without looking at the store: a safety net for events queued
  // without wake() (another process, a forgotten call) and for wall-clock jumps.
  std::chrono::milliseconds poll_interval{30'000};
  std::chrono::milliseconds store_retry{5'000};  // pause after the store failed
  std::size_t batch_size = 20;                   // events read per dueEvents call
};

// The nominal delay after `attempts` failed attempts (1: after the first), before jitter.
std::chrono::milliseconds nominalBackoff(std::int64_t attempts, const OutboxOptions& options);
// The jittered delay: nominal * (1 - jitter * unit) for `unit` in [0, 1) (clamped), so within
// (nominal * (1 - jitter), nominal].
std::chrono::milliseconds backoffDelay(std::int64_t attempts, const OutboxOptions& options,
                                       double unit);
// After failed attempt number `attempt` (1-based) ended with `result`: how long until the next
// attempt, or nullopt to give up (attempts exhausted for its kind, or kPermanent). Also nullopt
// for results that are not failures (kNone, kCancelled): there is nothing to retry.
std::optional<std::chrono::milliseconds> retryDelay(const SendResult& result, std::int64_t attempt,
                                                    const OutboxOptions& options, double unit);

// Owns one background thread that delivers due events one at a time, oldest first.
// Thread-safety: wake() may be called from any thread at any time (it never blocks on the store or
// the network). stop() may be called from any thread; it is idempotent and serialised. The store
// must allow calls from the worker's thread (store::Store allows any thread); only one
// OutboxWorker may run per store (the outbox is not claimed per event).
class OutboxWorker {
 public:
  // Starts the thread, which looks at the store at once (resuming whatever was pending).
  OutboxWorker(std::shared_ptr<store::Store> store, std::shared_ptr<TicketNotifier> notifier,
               OutboxOptions options = {});
  ~OutboxWorker();  // stop()
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // Looks at the store now instead of at the next due time: call after queuing an event (creating
  // or updating a ticket with notify) so that it goes out immediately. Wakes are not lost: one
  // that arrives while a batch is being sent makes the worker look again right after it.
  void wake() EXCLUDES(mutex_);
  // Returns once the thread has ended: at once while it sleeps (however long the backoff), within
  // about a second during an HTTP request (the request is aborted; that attempt is not counted).
  void stop() EXCLUDES(stop_mutex_);

 private:
  void run(const std::stop_token& stop) EXCLUDES(mutex_);
  // One pass: delivers what is due; returns how long to sleep. Throws what the store throws.
  std::chrono::milliseconds cycle(const std::stop_token& stop);
  // cycle(), except that a failure is logged and answered with options_.store_retry.
  std::chrono::milliseconds cycleOrPause(const std::stop_token& stop) noexcept;
  void deliver(const store::OutboxEvent& event, const std::stop_token& stop);

  const std::shared_ptr<store::Store> store_;
  const std::shared_ptr<TicketNotifier> notifier_;
  const OutboxOptions options_;
  std::mt19937_64 random_;  // jitter; only used on the worker thread

  util::Mutex mutex_;
  std::condition_variable_any wakeup_;
  bool wake_requested_ GUARDED_BY(mutex_) = false;

  util::Mutex stop_mutex_;  // serialises stop()
  // Last: starts after, and is joined before, the members above go.
  std::jthread thread_ GUARDED_BY(stop_mutex_);
};

}  // namespace chatbot::tickets
