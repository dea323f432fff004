#pragma once
// Selective answering: how often the bot answers, answers right, answers wrong or abstains, for
// questions its knowledge base answers (in-domain) and questions it does not (out-of-domain).
// The rule is the chat service's: an answer's sources are the results scoring at least the
// threshold; none means the bot abstains. An answer is right when a source is a relevant article.
#include <cstddef>
#include <vector>

namespace chatbot::eval {

// One question's results, best first: each one's score and whether it is relevant.
struct ScoredQuestion {
  bool in_domain = true;
  std::vector<double> scores;  // non-increasing
  std::vector<bool> relevant;  // all false for out-of-domain questions
};

struct SelectiveOutcome {
  double threshold = 0;
  std::size_t in_domain = 0;      // questions
  std::size_t out_of_domain = 0;  // questions
  double answered_right = 0;      // shares of the in-domain questions
  double answered_wrong = 0;
  double abstained = 0;
  double out_of_domain_answered = 0;  // share of the out-of-domain questions
};

SelectiveOutcome selectiveAnswering(const std::vector<ScoredQuestion>& questions, double threshold);

// The outcome at each of `thresholds`.
std::vector<SelectiveOutcome> selectiveCurve(const std::vector<ScoredQuestion>& questions,
                                             const std::vector<double>& thresholds);

}  // namespace chatbot::eval
