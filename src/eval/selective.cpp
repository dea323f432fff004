#include "eval/selective.h"

namespace chatbot::eval {

namespace {

double share(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

SelectiveOutcome selectiveAnswering(const std::vector<ScoredQuestion>& questions,
                                    double threshold) {
  SelectiveOutcome out;
  out.threshold = threshold;
  std::size_t right = 0;
  std::size_t wrong = 0;
  std::size_t ood_answered = 0;
  for (const auto& q : questions) {
    bool answered = false;
    bool any_relevant = false;
    for (std::size_t i = 0; i < q.scores.size() && q.scores[i] >= threshold; ++i) {
      answered = true;
      any_relevant = any_relevant || (i < q.relevant.size() && q.relevant[i]);
    }
    if (q.in_domain) {
      ++out.in_domain;
      if (answered) ++(any_relevant ? right : wrong);
    } else {
      ++out.out_of_domain;
      if (answered) ++ood_answered;
    }
  }
  out.answered_right = share(right, out.in_domain);
  out.answered_wrong = share(wrong, out.in_domain);
  out.abstained = share(out.in_domain - right - wrong, out.in_domain);
  out.out_of_domain_answered = share(ood_answered, out.out_of_domain);
  return out;
}

std::vector<SelectiveOutcome> selectiveCurve(const std::vector<ScoredQuestion>& questions,
                                             const std::vector<double>& thresholds) {
  std::vector<SelectiveOutcome> curve;
  curve.reserve(thresholds.size());
  for (const double t : thresholds) curve.push_back(selectiveAnswering(questions, t));
  return curve;
}

}  // namespace chatbot::eval
