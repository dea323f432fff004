#include "support/conversation_service.h"

#include "auth/ticket_access.h"
#include "support/store_call.h"
#include "util/time.h"

namespace chatbot::support {

Error sessionNotFound(const std::string& id) {
  return Error::notFound("session_not_found",
                         "No conversation " + id + ": it never existed, expired or was deleted.");
}

ConversationService::ConversationService(std::shared_ptr<store::Store> store)
    : store_(std::move(store)) {}

Result<store::Session> ConversationService::session(const std::string& id,
                                                    const auth::Identity& caller) const {
  return storeCall("session", [&]() -> Result<store::Session> {
    auto session = store_->session(id, util::epochMsNow());
    if (!session || !auth::maySeeConversation(caller, session->owner)) return sessionNotFound(id);
    return std::move(*session);
  });
}

Result<Done> ConversationService::deleteSession(const std::string& id,
                                                const auth::Identity& caller) const {
  return storeCall("delete_session", [&]() -> Result<Done> {
    // The owner never changes, so checking before deleting leaves no gap to exploit.
    const auto session = store_->session(id, util::epochMsNow());
    if (session && !auth::maySeeConversation(caller, session->owner)) return sessionNotFound(id);
    if (!store_->deleteSession(id)) return sessionNotFound(id);
    return Done{};
  });
}

Result<FeedbackReceipt> ConversationService::recordFeedback(store::Feedback feedback,
                                                            const auth::Identity& caller) const {
  return storeCall("feedback", [&]() -> Result<FeedbackReceipt> {
    feedback.created_ms = util::epochMsNow();
    feedback.rater = caller.subject;
    auto outcome = store_->recordFeedback(feedback);
    if (!outcome.known_message) {
      return Error::notFound("message_not_found",
                             "No chat reply has message_id " + feedback.message_id + ".");
    }
    const Escalation escalation = escalationForFeedback(feedback.helpful);
    return FeedbackReceipt{std::move(feedback), std::move(outcome), escalation};
  });
}

Result<store::Stats> ConversationService::stats(std::size_t worst_limit) const {
  return storeCall("stats", [&]() -> Result<store::Stats> { return store_->stats(worst_limit); });
}

}  // namespace chatbot::support
