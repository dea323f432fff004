#include "support/exchange_writer.h"

#include "observability/log.h"
#include "util/time.h"

namespace chatbot::support {

ExchangeWriter::ExchangeWriter(std::shared_ptr<store::Store> store, store::SessionPolicy policy,
                               std::size_t max_batch)
    : store_(std::move(store)), policy_(policy), max_batch_(std::max<std::size_t>(1, max_batch)) {
  completer_ = std::thread([this] { complete(); });
  writer_ = std::thread([this] { run(); });
}

ExchangeWriter::~ExchangeWriter() {
  {
    const util::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();  // commits what is queued, then tells the completer it is done
  completer_.join();
}

void ExchangeWriter::append(store::Exchange exchange, Done done) {
  {
    const util::MutexLock lock(mutex_);
    queue_.exchanges.push_back(std::move(exchange));
    queue_.done.push_back(std::move(done));
  }
  wake_.notify_one();
}

WriterStatus ExchangeWriter::status() const {
  const util::MutexLock lock(mutex_);
  WriterStatus out = counters_;
  out.queued = queue_.exchanges.size();
  return out;
}

void ExchangeWriter::run() {
  for (;;) {
    Batch batch;
    {
      util::UniqueMutexLock lock(mutex_);
      wake_.wait(lock.native(),
                 [this]() REQUIRES(mutex_) { return stopping_ || !queue_.exchanges.empty(); });
      if (queue_.exchanges.empty()) {  // stopping, and everything queued is committed
        writer_done_ = true;
        committed_wake_.notify_one();
        return;
      }
      if (queue_.exchanges.size() <= max_batch_) {
        std::swap(batch, queue_);
      } else {
        const auto n = static_cast<std::ptrdiff_t>(max_batch_);
        batch.exchanges.assign(std::make_move_iterator(queue_.exchanges.begin()),
                               std::make_move_iterator(queue_.exchanges.begin() + n));
        batch.done.assign(std::make_move_iterator(queue_.done.begin()),
                          std::make_move_iterator(queue_.done.begin() + n));
        queue_.exchanges.erase(queue_.exchanges.begin(), queue_.exchanges.begin() + n);
        queue_.done.erase(queue_.done.begin(), queue_.done.begin() + n);
      }
    }
    commit(batch);
    {
      const util::MutexLock lock(mutex_);
      for (const bool stored : batch.stored) {
        ++(stored ? counters_.committed : counters_.failed);
        counters_.last_commit_failed = !stored;
        if (!stored) counters_.last_failure_ms = util::epochMsNow();
      }
      committed_.push_back(std::move(batch));
    }
    committed_wake_.notify_one();
  }
}

void ExchangeWriter::complete() {
  for (;;) {
    Batch batch;
    {
      util::UniqueMutexLock lock(mutex_);
      committed_wake_.wait(
          lock.native(), [this]() REQUIRES(mutex_) { return writer_done_ || !committed_.empty(); });
      if (committed_.empty()) return;  // the writer has stopped and every callback has run
      batch = std::move(committed_.front());
      committed_.pop_front();
    }
    for (std::size_t i = 0; i < batch.done.size(); ++i) batch.done[i](batch.stored[i]);
  }
}

void ExchangeWriter::commit(Batch& batch) {
  batch.stored.assign(batch.exchanges.size(), false);
  try {
    store_->appendExchanges(batch.exchanges, policy_);
    batch.stored.assign(batch.exchanges.size(), true);
    return;
  } catch (const store::StoreError& e) {
    if (batch.exchanges.size() == 1) {
      log::error("store.exchange_failed",
                 {{"session_id", batch.exchanges.front().session_id}, {"error", e.what()}});
      return;
    }
    log::warn("store.batch_failed", {{"exchanges", batch.exchanges.size()}, {"error", e.what()}});
  }
  // One bad exchange must not fail the others: commit them one by one.
  for (std::size_t i = 0; i < batch.exchanges.size(); ++i) {
    try {
      store_->appendExchange(batch.exchanges[i], policy_);
      batch.stored[i] = true;
    } catch (const store::StoreError& e) {
      log::error("store.exchange_failed",
                 {{"session_id", batch.exchanges[i].session_id}, {"error", e.what()}});
    }
  }
}

}  // namespace chatbot::support
