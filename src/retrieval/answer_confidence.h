#pragma once
// How likely the knowledge base's best results are to answer a question: a calibrated probability
// that replaces the search engine's score, so that MIN_ANSWER_SCORE means "answer only when at
// least this likely to be right" and the bot abstains on questions its knowledge base cannot
// answer ("What is the capital of France?" against IT articles).
//
// The estimate is a logistic model over evidence the system has for the ranked results: how much
// of the question's informative (IDF-weighted) terms the best article covers, in its title or
// anywhere; how many of the question's terms the knowledge base knows at all; the rarest question
// term the best article lacks; its lead over the next result; the engine's own score; and the
// question's length. The weights are fitted offline (`chatbot eval --fit-confidence`) on
// questions with known answers and questions from other domains, and shipped as data
// (data/confidence.json). The features are shares and ratios, not raw counts, so one model
// carries across knowledge bases.
//
// What the probability is about: that an article answering the question is among the results an
// answer draws on (the best one and those close to it), which is what the reader of an answer
// with its cited sources needs. The best result's score is that probability; a result whose
// engine score is at least kSourceBand of the best one's shares it, and one further behind gets
// a proportional share, so MIN_ANSWER_SCORE picks the answer's sources as before.
//
// Thread-safety: immutable after construction; score() may run concurrently.
#include <array>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "retrieval/retriever.h"
#include "retrieval/term_statistics.h"
#include "util/error.h"

namespace chatbot::retrieval {

// The evidence about one question's results; each feature is in [0, 1].
struct ConfidenceFeatures {
  static constexpr std::size_t kCount = 7;
  // Names as the model file spells them, in the order of values: coverage, title_coverage, known,
  // missing_rarity, lead, engine_score, terms.
  static const std::array<const char*, kCount>& names();
  std::array<double, kCount> values{};
};

class ConfidenceModel {
 public:
  ConfidenceModel() = default;
  ConfidenceModel(double bias, std::array<double, ConfidenceFeatures::kCount> weights)
      : bias_(bias), weights_(weights) {}

  // {"bias", "weights": {name: weight}}; a feature the file does not name weighs 0.
  static Result<ConfidenceModel> fromJson(const nlohmann::json& json);
  static Result<ConfidenceModel> load(const std::filesystem::path& path);
  nlohmann::json toJson() const;

  double probability(const ConfidenceFeatures& features) const;
  double bias() const noexcept { return bias_; }
  const std::array<double, ConfidenceFeatures::kCount>& weights() const noexcept {
    return weights_;
  }

 private:
  double bias_ = 0;
  std::array<double, ConfidenceFeatures::kCount> weights_{};
};

class AnswerConfidence {
 public:
  // Results whose engine score is at least this share of the best one's are the answer's group.
  static constexpr double kSourceBand = 0.7;

  AnswerConfidence(std::shared_ptr<const TermStatistics> terms, ConfidenceModel model);

  // The evidence that `hits` (ranked by the engine, best first, with the engine's scores) hold an
  // answer to `query`. All zero when there are no hits.
  ConfidenceFeatures features(std::string_view query, const std::vector<Hit>& hits) const;
  // The probability that the results answer `query`; 0 without results.
  double probability(std::string_view query, const std::vector<Hit>& hits) const;
  // Replaces the engine's scores by the confidence (see the top of this file). The engine's
  // order is kept and scores stay non-increasing.
  void score(std::string_view query, std::vector<Hit>& hits) const;

  const ConfidenceModel& model() const noexcept { return model_; }

 private:
  std::shared_ptr<const TermStatistics> terms_;
  ConfidenceModel model_;
};

// Fits the model by L2-regularised logistic regression (Newton's method) on `examples` with
// labels 1 (the results hold an answer) or 0. Error kInvalidInput when there are no examples of one
// label.
Result<ConfidenceModel> fitConfidenceModel(const std::vector<ConfidenceFeatures>& examples,
                                           const std::vector<int>& labels, double l2 = 1e-3);

}  // namespace chatbot::retrieval
