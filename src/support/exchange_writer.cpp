#include "support/exchange_writer.h"

#include "observability/log.h"

namespace chatbot::support {

ExchangeWriter::ExchangeWriter(std::shared_ptr<store::Store> store, store::SessionPolicy policy, std::size_t max_batch)
    : store_(std::move(store)), policy_(policy), max_batch_(std::max<std::size_t>(1, max_batch)) {
  thread_ = std::thread([this] { run(); });
}

ExchangeWriter::~ExchangeWriter() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ExchangeWriter::append(store::Exchange exchange, Done done) {
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back({std::move(exchange), std::move(done)});
  }
  wake_.notify_one();
}

void ExchangeWriter::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit(batch);
    batch.clear();
  }
}

void ExchangeWriter::commit(std::vector<Item>& batch) {
  std::vector<store::Exchange> exchanges;
  exchanges.reserve(batch.size());
  for (const auto& item : batch) exchanges.push_back(item.exchange);
  try {
    store_->appendExchanges(exchanges, policy_);
    for (auto& item : batch) item.done(true);
    return;
  } catch (const store::StoreError& e) {
    if (batch.size() == 1) {
      log::error("store.exchange_failed", {{"session_id", batch.front().exchange.session_id}, {"error", e.what()}});
      batch.front().done(false);
      return;
    }
    log::warn("store.batch_failed", {{"exchanges", batch.size()}, {"error", e.what()}});
  }
  // One bad exchange must not fail the others: commit them one by one.
  for (auto& item : batch) {
    try {
      store_->appendExchange(item.exchange, policy_);
      item.done(true);
    } catch (const store::StoreError& e) {
      log::error("store.exchange_failed", {{"session_id", item.exchange.session_id}, {"error", e.what()}});
      item.done(false);
    }
  }
}

}  // namespace chatbot::support
