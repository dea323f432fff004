#pragma once
// JSON shapes of conversations, feedback statistics and escalation hints, as the API returns
// them (documented in openapi.json). Pure functions.
#include <nlohmann/json.hpp>

#include "store/store.h"
#include "support/conversation_service.h"
#include "support/escalation.h"

namespace chatbot::api {

// ISO-8601 UTC with microseconds, like every timestamp of the API; null for 0.
nlohmann::json isoTime(store::EpochMs ms);
nlohmann::json sessionJson(const store::Session& session);
nlohmann::json escalationJson(const support::Escalation& escalation);
nlohmann::json statsJson(const store::Stats& stats);
// The reply to POST /feedback: {"message_id", "session_id", "helpful", "replaced", "escalation"}.
nlohmann::json feedbackJson(const support::FeedbackReceipt& receipt);

}  // namespace chatbot::api
