#include "tickets/outbox_worker.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "observability/log.h"
#include "tickets/ticket_json.h"
#include "util/time.h"

namespace chatbot::tickets {

namespace {

using std::chrono::milliseconds;

// Floor for a sleep after a pass that sent nothing, so that a store whose nextDueTime() says
// "due" while dueEvents() returns nothing (clock skew between them, say) cannot make us spin.
constexpr milliseconds kIdleFloor{10};

std::string_view kindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone:
      return "none";
    case FailureKind::kTransient:
      return "transient";
    case FailureKind::kRejected:
      return "rejected";
    case FailureKind::kPermanent:
      return "permanent";
    case FailureKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

nlohmann::json eventFields(const store::OutboxEvent& event, std::int64_t attempt) {
  return {{"ticket_id", displayId(event.ticket_id)},
          {"event_id", event.id},
          {"event_type", event.event},
          {"attempt", attempt}};
}

}  // namespace

milliseconds nominalBackoff(std::int64_t attempts, const OutboxOptions& options) {
  const milliseconds cap = std::max(options.backoff_cap, milliseconds(0));
  milliseconds delay = std::clamp(options.backoff_base, milliseconds(0), cap);
  // Doubling until the cap, never past it (no overflow however many attempts).
  for (std::int64_t i = 1; i < attempts && delay > milliseconds(0) && delay < cap; ++i) {
    delay = delay > cap / 2 ? cap : delay * 2;
  }
  return delay;
}

milliseconds backoffDelay(std::int64_t attempts, const OutboxOptions& options, double unit) {
  const double jitter = std::clamp(options.jitter, 0.0, 1.0);
  unit = std::clamp(unit, 0.0, 1.0);
  const auto nominal = static_cast<double>(nominalBackoff(attempts, options).count());
  return milliseconds(static_cast<milliseconds::rep>(nominal * (1.0 - jitter * unit)));
}

std::optional<milliseconds> retryDelay(const SendResult& result, std::int64_t attempt,
                                       const OutboxOptions& options, double unit) {
  std::int64_t limit = 0;
  switch (result.failure) {
    case FailureKind::kTransient:
      limit = options.max_attempts;
      break;
    case FailureKind::kRejected:
      limit = std::min(options.max_attempts, options.max_rejected_attempts);
      break;
    case FailureKind::kNone:
    case FailureKind::kPermanent:
    case FailureKind::kCancelled:
      return std::nullopt;
  }
  if (attempt >= limit) return std::nullopt;
  milliseconds delay = backoffDelay(attempt, options, unit);
  if (result.retry_after) {
    const milliseconds asked = std::min<milliseconds>(*result.retry_after, options.max_retry_after);
    delay = std::max(delay, asked);
  }
  return delay;
}

OutboxWorker::OutboxWorker(std::shared_ptr<store::Store> store,
                           std::shared_ptr<TicketNotifier> notifier, OutboxOptions options)
    : store_(std::move(store)),
      notifier_(std::move(notifier)),
      options_(options),
      random_(std::random_device{}()) {
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

OutboxWorker::~OutboxWorker() {
  stop();
}

void OutboxWorker::wake() {
  {
    const util::MutexLock lock(mutex_);
    wake_requested_ = true;
  }
  wakeup_.notify_one();
}

void OutboxWorker::stop() {
  const util::MutexLock lock(stop_mutex_);
  if (!thread_.joinable()) return;
  // Wakes the condition-variable wait (it is registered with the stop token) and makes the
  // notifier's progress callback abort an in-flight request.
  thread_.request_stop();
  thread_.join();
}

void OutboxWorker::run(const std::stop_token& stop) {
  log::info("webhook.worker_started", {{"max_attempts", options_.max_attempts}});
  while (!stop.stop_requested()) {
    {
      // Cleared before looking, so a wake() from here on makes the wait below return at once.
      const util::MutexLock lock(mutex_);
      wake_requested_ = false;
    }
    const milliseconds sleep = cycleOrPause(stop);
    util::UniqueMutexLock lock(mutex_);
    wakeup_.wait_for(lock.native(), stop, sleep,
                     [this]() REQUIRES(mutex_) { return wake_requested_; });
  }
  log::info("webhook.worker_stopped");
}

milliseconds OutboxWorker::cycleOrPause(const std::stop_token& stop) noexcept {
  // No local is assigned before the try and read after a handler: GCC 12.2 (-O1 and up) dropped
  // such an initial store as dead when the variable was later passed by reference to
  // condition_variable_any::wait_for (-fno-tree-dse restored it), and the pause after a
  // StoreError was garbage (0 or days). Hence the return from inside the try.
  try {
    return cycle(stop);
  } catch (const std::exception& e) {
    // The store failed (StoreError: disk, lock timeout...). Nothing was lost: the events are
    // still pending in it. Keep the thread alive and look again later.
    log::error("webhook.store_error",
               {{"error", e.what()}, {"retry_in_ms", options_.store_retry.count()}});
  } catch (...) {
    log::error("webhook.store_error",
               {{"error", "unknown exception"}, {"retry_in_ms", options_.store_retry.count()}});
  }
  return options_.store_retry;
}

milliseconds OutboxWorker::cycle(const std::stop_token& stop) {
  const auto events = store_->dueEvents(util::epochMsNow(), options_.batch_size);
  for (const auto& event : events) {
    if (stop.stop_requested()) return milliseconds(0);
    deliver(event, stop);
  }
  if (!events.empty() && events.size() >= options_.batch_size) return milliseconds(0);  // more due
  const std::optional<store::EpochMs> next = store_->nextDueTime();
  if (!next) return options_.poll_interval;
  const milliseconds until(*next - util::epochMsNow());
  return std::clamp(until, events.empty() ? kIdleFloor : milliseconds(0),
                    std::max(options_.poll_interval, kIdleFloor));
}

void OutboxWorker::deliver(const store::OutboxEvent& event, const std::stop_token& stop) {
  const std::int64_t attempt = event.attempts + 1;
  const std::optional<store::Ticket> ticket = store_->ticket(event.ticket_id);
  if (!ticket) {
    // Nothing could ever be sent for it; tickets are not deleted today, so this is a broken row.
    const std::string error = "ticket " + displayId(event.ticket_id) + " does not exist";
    store_->markAttemptFailed(event.id, error, std::nullopt);
    auto fields = eventFields(event, attempt);
    fields["error"] = error;
    fields["next_attempt"] = nullptr;
    fields["final"] = true;
    log::error("webhook.failed", fields);
    return;
  }

  SendResult result;
  try {
    const WebhookMessage message{event.event, event.id, webhookPayload(event, *ticket)};
    result = notifier_->send(message, stop);
  } catch (const std::exception& e) {
    // A notifier is not supposed to throw; if one does (a bug, memory), count it as a failed
    // attempt so the event is eventually given up instead of blocking the outbox forever.
    result = SendResult{};
    result.failure = FailureKind::kTransient;
    result.error = std::string("internal error: ") + e.what();
  }

  auto fields = eventFields(event, attempt);
  fields["elapsed_ms"] = result.elapsed.count();
  if (result.http_status != 0) fields["http_status"] = result.http_status;
  if (result.failure == FailureKind::kCancelled) {
    // Stopping: the attempt is not recorded, the event stays due for the next start.
    log::info("webhook.cancelled", fields);
    return;
  }
  const store::EpochMs now = util::epochMsNow();
  if (result.ok()) {
    store_->markDelivered(event.id, now);
    log::info("webhook.delivered", fields);
    return;
  }
  const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  const std::optional<milliseconds> delay = retryDelay(result, attempt, options_, unit);
  std::optional<store::EpochMs> retry_at;
  if (delay) retry_at = now + delay->count();
  store_->markAttemptFailed(event.id, result.error, retry_at);
  fields["error"] = result.error;
  fields["failure"] = kindName(result.failure);
  fields["next_attempt"] =
      retry_at ? nlohmann::json(util::isoTimestampFromEpochMs(*retry_at)) : nlohmann::json(nullptr);
  fields["final"] = !retry_at.has_value();
  log::write(retry_at ? log::Level::kWarning : log::Level::kError, "webhook.failed", fields);
}

}  // namespace chatbot::tickets
