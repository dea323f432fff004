#pragma once
// Conversations (GET/DELETE /sessions/{id}), feedback on answers (POST /feedback) and statistics
// (GET /stats) over the store. Synchronous: every call is one store transaction, so callers run it
// off the HTTP threads (the API offloads it to the SupportService's threads).
//
// Thread-safety: immutable; every method may be called from any thread concurrently.
// Ownership: shares the store.
#include <memory>
#include <string>

#include "auth/identity.h"
#include "store/store.h"
#include "support/escalation.h"
#include "util/error.h"

namespace chatbot::support {

struct FeedbackReceipt {
  store::Feedback feedback;
  store::FeedbackOutcome outcome;
  Escalation escalation;  // what the reply offers next (a ticket after "not helpful")
};

class ConversationService {
 public:
  explicit ConversationService(std::shared_ptr<store::Store> store);

  // The conversation, unless it never existed, expired, was deleted or is not `caller`'s to see
  // (auth::maySeeConversation): all of these are "not found".
  Result<store::Session> session(const std::string& id, const auth::Identity& caller) const;
  Result<Done> deleteSession(const std::string& id, const auth::Identity& caller) const;
  // Records `caller`'s vote on an answer given to them (replacing an earlier one);
  // `feedback.comment` is redacted. Another identity's answer is "not found".
  Result<FeedbackReceipt> recordFeedback(store::Feedback feedback,
                                         const auth::Identity& caller) const;
  // `worst_limit`: how many least helpful articles to list.
  Result<store::Stats> stats(std::size_t worst_limit) const;

 private:
  const std::shared_ptr<store::Store> store_;
};

// The 404 for a conversation id that names none.
Error sessionNotFound(const std::string& id);

}  // namespace chatbot::support
