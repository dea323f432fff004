#include "api/support_json.h"

#include <cmath>

#include "tickets/ticket_json.h"
#include "util/json_values.h"
#include "util/time.h"

namespace chatbot::api {

namespace {

// Shares, rounded to 4 decimals; null when there is nothing to divide.
nlohmann::json rate(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return nullptr;
  const double share = static_cast<double>(part) / static_cast<double>(whole);
  return static_cast<double>(std::llround(share * 10000.0)) / 10000.0;
}

}  // namespace

nlohmann::json isoTime(store::EpochMs ms) {
  if (ms == 0) return nullptr;
  return util::isoTimestampFromEpochMs(ms);
}

nlohmann::json sessionJson(const store::Session& session) {
  nlohmann::json messages = nlohmann::json::array();
  for (const auto& e : session.exchanges) {
    messages.push_back(
        {{"message_id", e.message_id},
         {"created_at", isoTime(e.created_ms)},
         {"query", e.query},
         {"standalone_query", e.standalone_query},
         {"response", e.response},
         {"answered", e.answered},
         {"generator", e.generator},
         {"sources", tickets::citedSourcesJson(e.sources, tickets::SourcesStyle::kTranscript)},
         {"escalation_reason", util::nullIfEmpty(e.escalation_reason)}});
  }
  return {{"session_id", session.id},
          {"created_at", isoTime(session.created_ms)},
          {"updated_at", isoTime(session.updated_ms)},
          {"expires_at", isoTime(session.expires_ms)},
          {"messages", std::move(messages)}};
}

nlohmann::json escalationJson(const support::Escalation& escalation) {
  return {{"suggested", escalation.suggested},
          {"reason", util::nullIfEmpty(escalation.reason)},
          {"message", util::nullIfEmpty(escalation.message)}};
}

nlohmann::json feedbackJson(const support::FeedbackReceipt& receipt) {
  return {{"message_id", receipt.feedback.message_id},
          {"session_id", util::nullIfEmpty(receipt.outcome.session_id)},
          {"helpful", receipt.feedback.helpful},
          {"replaced", receipt.outcome.replaced},
          {"escalation", escalationJson(receipt.escalation)}};
}

nlohmann::json statsJson(const store::Stats& stats) {
  nlohmann::json worst = nlohmann::json::array();
  for (const auto& a : stats.worst_articles) {
    worst.push_back({{"article_id", a.article_id},
                     {"subject", a.subject},
                     {"helpful", a.helpful},
                     {"not_helpful", a.not_helpful},
                     {"helpful_rate", rate(a.helpful, a.helpful + a.not_helpful)}});
  }
  return {{"questions", stats.questions},
          {"answered", stats.answered},
          {"unanswered", stats.unanswered},
          {"answered_rate", rate(stats.answered, stats.questions)},
          {"escalations_suggested", stats.escalations_suggested},
          {"feedback",
           {{"total", stats.feedback},
            {"helpful", stats.helpful},
            {"not_helpful", stats.not_helpful},
            {"helpful_rate", rate(stats.helpful, stats.feedback)}}},
          {"tickets", {{"total", stats.tickets}, {"open", stats.tickets_open}}},
          {"worst_articles", std::move(worst)}};
}

}  // namespace chatbot::api
