#pragma once
// Follow-up questions ("and on Windows?", "it still doesn't work") only make sense with the
// conversation before them. Retrieval needs a standalone query: this is the deterministic method
// (used when no LLM is loaded, and when the LLM's rewrite fails or is refused). Pure functions.
#include <string>
#include <string_view>
#include <vector>

namespace chatbot::rag {

// One earlier exchange of the conversation, oldest first in a history.
struct PriorTurn {
  std::string question;    // as the user wrote it (redacted)
  std::string standalone;  // what retrieval searched for (the question itself when it stood alone)
  std::string answer;      // the reply text
};

struct FollowUpResolution {
  std::string standalone;  // the query for retrieval
  bool rewritten = false;  // false: the question stands alone (standalone == question)
};

// True when `question` says an earlier answer did not solve the problem ("still doesn't work",
// "that didn't help", "same error"). Also a reason to offer a ticket.
bool reportsFailure(std::string_view question);

// Decides whether `question` depends on the history and, when it does, builds a standalone query
// from the last turn's standalone query and the question:
//  - a question that leans on the conversation (starts with "and", "what about", "also"…; or
//    refers back with "it", "that", "this"…; or has two content words or fewer; or reports that
//    the answer did not work) is a follow-up; one with several content words of its own and no
//    such marker is a new topic;
//  - the follow-up's own words are kept and the earlier query's are added, except that a platform
//    or product the follow-up names replaces one of the same kind ("Windows" replaces "MacBook
//    Air"; "Teams" replaces "Zoom"), so retrieval is not pulled back to the old one.
FollowUpResolution resolveFollowUp(std::string_view question,
                                   const std::vector<PriorTurn>& history);

}  // namespace chatbot::rag
