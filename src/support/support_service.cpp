#include "support/support_service.h"

#include <algorithm>

#include "auth/ticket_access.h"
#include "observability/log.h"
#include "support/escalation.h"
#include "util/ids.h"
#include "util/time.h"

namespace chatbot::support {

namespace {

// Stores the finished answer before handing it on, so that nothing is acknowledged unstored.
// Runs on whichever thread finishes the answer (a service thread, the retrieval pool or the LLM
// scheduler): one short transaction there costs less than a thread hop back.
class StoringObserver final : public rag::AnswerObserver {
 public:
  StoringObserver(ExchangeWriter& writer, double confident_score, std::string session_id,
                  std::string owner, bool new_session, bool requested,
                  std::shared_ptr<rag::AnswerObserver> next)
      : writer_(writer),
        confident_score_(confident_score),
        session_id_(std::move(session_id)),
        owner_(std::move(owner)),
        new_session_(new_session),
        requested_(requested),
        next_(std::move(next)) {}

  void onSources(const rag::ChatAnswer& partial) override { next_->onSources(partial); }
  void onDelta(std::string_view text) override { next_->onDelta(text); }
  bool cancelled() const override { return next_->cancelled(); }

  void onComplete(rag::ChatAnswer answer) override {
    auto& c = answer.conversation;
    c.session_id = session_id_;
    c.new_session = new_session_;
    answer.history_requested = requested_;
    if (answer.failure || next_->cancelled()) {
      next_->onComplete(std::move(answer));
      return;
    }
    const Escalation escalation = escalationForAnswer(answer, confident_score_);
    c.escalation_suggested = escalation.suggested;
    c.escalation_reason = escalation.reason;
    c.escalation_message = escalation.message;

    store::Exchange exchange;
    exchange.message_id = util::newTimeOrderedUuid();
    exchange.session_id = session_id_;
    exchange.created_ms = util::epochMsNow();
    exchange.query = answer.query;
    exchange.standalone_query = answer.standalone_query;
    exchange.response = answer.response;
    exchange.sources = citedSources(answer);
    exchange.answered = answer.answered;
    exchange.generator = answer.generator;
    exchange.escalation_reason = escalation.reason;
    exchange.owner = owner_;
    c.message_id = exchange.message_id;
    auto finished = std::make_shared<rag::ChatAnswer>(std::move(answer));
    writer_.append(std::move(exchange), [finished, next = next_](bool stored) {
      finished->conversation.stored = stored;
      if (!stored) {
        finished->failure = Error::answerNotStored();
        finished->conversation.message_id.clear();
      }
      next->onComplete(std::move(*finished));
    });
  }

 private:
  ExchangeWriter& writer_;  // owned by the SupportService, which outlives every answer it started
  const double confident_score_;
  const std::string session_id_;
  const std::string owner_;  // who asked: an identity subject, or empty
  const bool new_session_;
  const bool requested_;  // the question named a session to continue
  const std::shared_ptr<rag::AnswerObserver> next_;
};

}  // namespace

std::vector<store::CitedSource> citedSources(const rag::ChatAnswer& answer) {
  std::vector<store::CitedSource> out;
  const std::size_t n = std::min(answer.sources_used, answer.results.size());
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const kb::Article& a = *answer.results[i].article;
    out.push_back({a.id, a.subject, a.category, a.url, answer.results[i].score, a.source});
  }
  return out;
}

SupportService::SupportService(std::shared_ptr<store::Store> store, SupportOptions options)
    : store_(std::move(store)),
      options_(options),
      writer_(store_, options_.sessions),
      pool_(std::max<std::size_t>(1, options_.threads)) {
  purger_ = std::thread([this] { purgeLoop(); });
}

SupportService::~SupportService() {
  {
    const util::MutexLock lock(purge_mutex_);
    stopping_ = true;
  }
  purge_wake_.notify_all();
  purger_.join();
}

void SupportService::purgeLoop() {
  util::UniqueMutexLock lock(purge_mutex_);
  while (!purge_wake_.wait_for(lock.native(), options_.purge_interval,
                               [this]() REQUIRES(purge_mutex_) { return stopping_; })) {
    lock.unlock();
    try {
      const std::size_t purged = store_->purgeExpiredSessions(util::epochMsNow());
      if (purged > 0) log::info("sessions.expired", {{"deleted", purged}});
    } catch (const store::StoreError& e) {
      log::warn("sessions.purge_failed", {{"error", e.what()}});  // retried at the next interval
    }
    lock.lock();
  }
}

void SupportService::answer(std::shared_ptr<const void> keep_alive, const rag::ChatService& service,
                            rag::ChatQuery query, std::string session_id,
                            const auth::Identity& caller,
                            std::shared_ptr<rag::AnswerObserver> observer) const {
  if (session_id.empty()) {
    // A new conversation has no history to read: nothing blocks before the answer, so it starts
    // on the caller's thread (the answer itself goes wherever the ChatService sends it).
    service.answerAsync(std::move(query),
                        std::make_shared<StoringObserver>(
                            writer_, options_.confident_score, util::newTimeOrderedUuid(),
                            caller.subject, /*new_session=*/true,
                            /*requested=*/false, std::move(observer)));
    return;
  }
  pool_.post([this, keep_alive = std::move(keep_alive), &service, query = std::move(query),
              session_id = std::move(session_id), caller,
              observer = std::move(observer)]() mutable {
    bool new_session = false;
    try {
      const auto recent =
          store_->recentExchanges(session_id, options_.history_turns, util::epochMsNow());
      // Unknown, expired or someone else's: a fresh id, so nobody can pick the id of a
      // conversation, nor learn whether another's exists.
      new_session = recent.exchanges.empty() || !auth::maySeeConversation(caller, recent.owner);
      if (!new_session) {
        for (const auto& e : recent.exchanges) {
          query.history.push_back({e.query, e.standalone_query, e.response});
        }
      }
    } catch (const store::StoreError& e) {
      log::error("store.history_failed", {{"session_id", session_id}, {"error", e.what()}});
      rag::ChatAnswer failed;
      failed.query = query.text;
      failed.failure = Error::answerNotStored();
      observer->onComplete(std::move(failed));
      return;
    }
    if (new_session) session_id = util::newTimeOrderedUuid();
    service.answerAsync(std::move(query),
                        std::make_shared<StoringObserver>(
                            writer_, options_.confident_score, std::move(session_id),
                            caller.subject, new_session, /*requested=*/true, std::move(observer)));
  });
}

}  // namespace chatbot::support
