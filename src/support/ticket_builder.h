#pragma once
// Turns a ticket request (a session and/or a free-text description) into a ticket with everything a
// service-desk agent needs written down: a subject, a category taken from the articles retrieval
// found, a priority, the transcript and the articles already tried. Pure functions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace chatbot::support {

struct TicketDraft {
  std::string session_id;                         // may be empty
  std::string description;                        // redacted; may be empty when there is a session
  std::string subject;                            // may be empty: derived
  std::optional<store::TicketPriority> priority;  // unset: inferred from the text
  std::string contact;
  std::string idempotency_key;
};

// `transcript`: the session's exchanges (empty without a session). `description_matches`: what
// retrieval found for the description, best first (used for the category when the conversation
// cited no categorised article).
store::NewTicket buildTicket(const TicketDraft& draft,
                             const std::vector<store::Exchange>& transcript,
                             const std::vector<store::CitedSource>& description_matches);

// Urgent for security incidents, high when work is blocked or many people are affected, low for
// requests and how-to questions, normal otherwise.
store::TicketPriority inferPriority(std::string_view text);

// At most `max_chars` characters, cut at a word boundary with "…" when cut; first line only.
std::string shortSubject(std::string_view text, std::size_t max_chars = 80);

}  // namespace chatbot::support
