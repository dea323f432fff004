#include "support/escalation.h"

namespace chatbot::support {

namespace {

Escalation suggest(std::string reason, std::string message) {
  return Escalation{
      true, std::move(reason),
      std::move(message) +
          " I can open a ticket for the IT service desk with this conversation attached."};
}

}  // namespace

Escalation escalationForAnswer(const rag::ChatAnswer& answer, double confident_score) {
  switch (answer.intent) {
    case rag::Intent::kHuman:
      return suggest("asked_for_human", "You asked for a person.");
    case rag::Intent::kTicket:
      return suggest("asked_for_ticket", "You asked for a ticket.");
    case rag::Intent::kGreeting:
    case rag::Intent::kThanks:
    case rag::Intent::kOutOfScope:  // the IT desk is the wrong place: the reply says who is
      return {};
    case rag::Intent::kNone:
      break;
  }
  // A user who says it did not work is the strongest signal, even when retrieval is confident.
  if (answer.reports_failure) {
    return suggest("user_reported_failure", "Sorry that did not solve it.");
  }
  if (!answer.answered) return suggest("no_answer", "The knowledge base does not cover this.");
  if (answer.results.empty() || answer.results.front().score < confident_score) {
    return suggest("low_confidence", "This answer may not fit your problem exactly.");
  }
  return {};
}

Escalation escalationForFeedback(bool helpful) {
  if (helpful) return {};
  return suggest("not_helpful", "Thanks for telling us.");
}

}  // namespace chatbot::support
