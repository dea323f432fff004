#pragma once
#include <string_view>
#include <vector>

namespace chatbot::retrieval {

// English function words and support-chat filler ("please", "help", "hi") that carry no topic.
// Negations are included: BM25 cannot use them, and they only dilute the query.
const std::vector<std::string_view>& englishStopwords();

}  // namespace chatbot::retrieval
