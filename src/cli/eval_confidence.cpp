// `chatbot eval` with --out-of-domain or --fit-confidence: selective answering (does the bot
// answer when it should, and abstain when its knowledge base has no answer?) and the offline fit
// of the answer-confidence model (retrieval/answer_confidence.h).
#include "cli/eval_confidence.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "observability/progress.h"
#include "security/credential_filter.h"

namespace chatbot::cli {

namespace {

using retrieval::ConfidenceFeatures;

// How many results an answer may draw on: the chat API's default top_k.
constexpr std::size_t kSources = 4;

// One question's top results as the confidence model sees them.
struct RankedQuestion {
  bool in_domain = true;
  std::string text;                  // after credential redaction, as searched
  std::vector<retrieval::Hit> hits;  // the engine's top kSources, with its scores
  std::vector<bool> relevant;
};

std::vector<RankedQuestion> rank(const retrieval::Retriever& retriever,
                                 const std::vector<EvalQuery>& queries, bool in_domain,
                                 const std::vector<kb::Article>& articles, bool show_progress) {
  const security::CredentialFilter filter;
  std::vector<RankedQuestion> out;
  observability::ProgressBar bar(in_domain ? "ranking in-domain" : "ranking out-of-domain",
                                 show_progress ? queries.size() : 0);
  for (const auto& q : queries) {
    RankedQuestion r{in_domain, filter.redact(q.text).text, {}, {}};
    r.hits = retriever.search(r.text, kSources);
    for (std::size_t i = 0; i < r.hits.size() && i < kSources; ++i) {
      r.relevant.push_back(in_domain && q.relevant.contains(articles[r.hits[i].article].id));
    }
    out.push_back(std::move(r));
    bar.advance();
  }
  return out;
}

// The questions scored as the chat service scores them: by the model, or by the engine.
std::vector<eval::ScoredQuestion> score(const std::vector<RankedQuestion>& ranked,
                                        const retrieval::AnswerConfidence* confidence) {
  std::vector<eval::ScoredQuestion> out;
  out.reserve(ranked.size());
  for (const auto& r : ranked) {
    std::vector<retrieval::Hit> hits = r.hits;
    if (confidence != nullptr) confidence->score(r.text, hits);
    eval::ScoredQuestion q{r.in_domain, {}, r.relevant};
    for (std::size_t i = 0; i < hits.size() && i < kSources; ++i) q.scores.push_back(hits[i].score);
    out.push_back(std::move(q));
  }
  return out;
}

// Whether a relevant article is among the results that share the best one's confidence (within
// AnswerConfidence::kSourceBand of its engine score): what an answer at that confidence cites.
bool answerGroupRelevant(const RankedQuestion& r) {
  for (std::size_t i = 0; i < r.relevant.size(); ++i) {
    const bool in_group =
        r.hits[i].score >= retrieval::AnswerConfidence::kSourceBand * r.hits.front().score;
    if (in_group && r.relevant[i]) return true;
  }
  return false;
}

// Fits on the questions `use` selects, one example each: 1 when the answer's group of results
// holds a relevant article.
Result<retrieval::ConfidenceModel> fit(const std::vector<RankedQuestion>& ranked,
                                       const retrieval::AnswerConfidence& features,
                                       const std::function<bool(std::size_t)>& use) {
  std::vector<ConfidenceFeatures> examples;
  std::vector<int> labels;
  for (std::size_t n = 0; n < ranked.size(); ++n) {
    if (!use(n)) continue;
    examples.push_back(features.features(ranked[n].text, ranked[n].hits));
    labels.push_back(answerGroupRelevant(ranked[n]) ? 1 : 0);
  }
  return retrieval::fitConfidenceModel(examples, labels);
}

// Two-fold cross-validation: each half scored by the model fitted on the other half, so the
// curve shows what the fit does on questions it has not seen.
std::vector<eval::ScoredQuestion> crossValidated(
    const std::vector<RankedQuestion>& ranked, const retrieval::AnswerConfidence& features,
    const std::shared_ptr<const retrieval::TermStatistics>& terms) {
  std::vector<eval::ScoredQuestion> out(ranked.size());
  for (std::size_t fold = 0; fold < 2; ++fold) {
    auto model = fit(ranked, features, [fold](std::size_t n) { return n % 2 != fold; });
    if (!model) throw std::runtime_error(model.error().detail);
    const retrieval::AnswerConfidence held_out(terms, model.value());
    for (std::size_t n = fold; n < ranked.size(); n += 2) {
      out[n] = score({ranked[n]}, &held_out).front();
    }
  }
  return out;
}

std::vector<double> thresholds() {
  std::vector<double> t;
  for (int i = 1; i < 20; ++i) t.push_back(i / 20.0);
  return t;
}

nlohmann::json outcomeJson(const eval::SelectiveOutcome& o) {
  return {{"threshold", o.threshold},
          {"answered_right", o.answered_right},
          {"answered_wrong", o.answered_wrong},
          {"abstained", o.abstained},
          {"out_of_domain_answered", o.out_of_domain_answered}};
}

void printCurve(const std::string& title, const std::vector<eval::ScoredQuestion>& scored,
                double configured) {
  const auto at = eval::selectiveAnswering(scored, configured);
  std::printf("\n%s: %zu in-domain, %zu out-of-domain questions\n", title.c_str(), at.in_domain,
              at.out_of_domain);
  std::printf("%9s %8s %8s %9s %8s\n", "threshold", "right", "wrong", "abstain", "ood_ans");
  for (const auto& o : eval::selectiveCurve(scored, thresholds())) {
    std::printf("%9.2f %8.3f %8.3f %9.3f %8.3f\n", o.threshold, o.answered_right, o.answered_wrong,
                o.abstained, o.out_of_domain_answered);
  }
  std::printf("%8.2f* %8.3f %8.3f %9.3f %8.3f   (* MIN_ANSWER_SCORE)\n", configured,
              at.answered_right, at.answered_wrong, at.abstained, at.out_of_domain_answered);
}

}  // namespace

nlohmann::json evaluateConfidence(const ConfidenceEvalInput& input) {
  const auto& articles = input.index.articles();
  auto ranked = rank(input.retriever, input.in_domain, true, articles, input.show_progress);
  auto outside = rank(input.retriever, input.out_of_domain, false, articles, input.show_progress);
  ranked.insert(ranked.end(), outside.begin(), outside.end());

  const auto terms = input.index.termStatistics();
  std::optional<retrieval::ConfidenceModel> model = input.model;
  nlohmann::json report;
  const retrieval::AnswerConfidence features(terms, {});
  if (!input.fit_output.empty()) {
    auto fitted = fit(ranked, features, [](std::size_t) { return true; });
    if (!fitted) throw std::runtime_error(fitted.error().detail);
    model = fitted.value();
    std::ofstream(input.fit_output) << model->toJson().dump(2) << "\n";
    const auto cv = crossValidated(ranked, features, terms);
    report["cross_validated"] = outcomeJson(eval::selectiveAnswering(cv, input.threshold));
    if (!input.json) printCurve("fitted model, two-fold cross-validated", cv, input.threshold);
  }
  const auto engine = score(ranked, nullptr);
  report["engine_score"] = outcomeJson(eval::selectiveAnswering(engine, input.threshold));
  if (!input.json) printCurve("search engine's score", engine, input.threshold);
  if (model) {
    const retrieval::AnswerConfidence confidence(terms, *model);
    const auto scored = score(ranked, &confidence);
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& o : eval::selectiveCurve(scored, thresholds())) {
      curve.push_back(outcomeJson(o));
    }
    report["confidence"] = outcomeJson(eval::selectiveAnswering(scored, input.threshold));
    report["confidence_curve"] = std::move(curve);
    report["model"] = model->toJson();
    if (!input.json) printCurve("answer-confidence model", scored, input.threshold);
  }
  if (!input.fit_output.empty() && !input.json) {
    std::printf("\nwrote the fitted model to %s\n", input.fit_output.c_str());
  }
  return report;
}

}  // namespace chatbot::cli
