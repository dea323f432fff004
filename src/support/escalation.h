#pragma once
// When the chatbot should offer a ticket: the knowledge base has no confident answer, the user
// says an earlier answer did not work, or an answer was rated not helpful. Pure functions.
#include <string>

#include "rag/chat_service.h"

namespace chatbot::support {

struct Escalation {
  bool suggested = false;
  std::string reason;   // "user_reported_failure", "no_answer", "low_confidence", "not_helpful";
                        // empty when not suggested
  std::string message;  // one sentence for the user; empty when not suggested
};

// `confident_score`: a best result scoring below it (but answered) counts as low confidence.
Escalation escalationForAnswer(const rag::ChatAnswer& answer, double confident_score);
Escalation escalationForFeedback(bool helpful);

}  // namespace chatbot::support
