#include "retrieval/answer_confidence.h"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace chatbot::retrieval {

namespace {

enum Feature : std::size_t {
  kCoverage,
  kTitleCoverage,
  kKnown,
  kMissingRarity,
  kLead,
  kEngineScore,
  kTerms
};

// Questions longer than this many informative terms count as long.
constexpr double kLongQuestionTerms = 12;

double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

// What the question's terms say about one article.
struct TermEvidence {
  double covered = 0;         // IDF of the question terms the article contains
  double in_title = 0;        // of those in its title
  double rarest_missing = 0;  // highest IDF among the terms it lacks (unknown ones highest)
};

TermEvidence termEvidence(const TermStatistics& stats, const std::vector<std::string>& terms,
                          const std::vector<double>& idf, std::size_t article) {
  TermEvidence e;
  for (std::size_t t = 0; t < terms.size(); ++t) {
    if (stats.inArticle(article, terms[t])) {
      e.covered += idf[t];
      if (stats.inTitle(article, terms[t])) e.in_title += idf[t];
    } else {
      e.rarest_missing = std::max(e.rarest_missing, idf[t]);
    }
  }
  return e;
}

}  // namespace

const std::array<const char*, ConfidenceFeatures::kCount>& ConfidenceFeatures::names() {
  static const std::array<const char*, kCount> kNames = {
      "coverage", "title_coverage", "known", "missing_rarity", "lead", "engine_score", "terms"};
  return kNames;
}

Result<ConfidenceModel> ConfidenceModel::fromJson(const nlohmann::json& json) {
  try {
    std::array<double, ConfidenceFeatures::kCount> weights{};
    const auto& given = json.at("weights");
    for (auto item = given.begin(); item != given.end(); ++item) {
      // A named key, not a structured binding: lambdas may not capture bindings before C++20's
      // P1091, which Clang's analysis (make lint) does not implement yet.
      const std::string& name = item.key();
      const auto& names = ConfidenceFeatures::names();
      const auto found =
          std::find_if(names.begin(), names.end(), [&](const char* n) { return name == n; });
      if (found == names.end()) {
        return Error::invalidInput("unknown confidence feature '" + name + "'");
      }
      weights.at(static_cast<std::size_t>(found - names.begin())) = item.value().get<double>();
    }
    return ConfidenceModel(json.at("bias").get<double>(), weights);
  } catch (const nlohmann::json::exception& e) {
    return Error::invalidInput(std::string("expected {\"bias\", \"weights\": {...}}: ") + e.what());
  }
}

Result<ConfidenceModel> ConfidenceModel::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Error::invalidInput("cannot read the confidence model " + path.string());
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded()) {
    return Error::invalidInput("the confidence model " + path.string() + " is not valid JSON");
  }
  auto model = fromJson(json);
  if (!model) return Error::invalidInput(path.string() + ": " + model.error().detail);
  return model;
}

nlohmann::json ConfidenceModel::toJson() const {
  nlohmann::json weights = nlohmann::json::object();
  for (std::size_t i = 0; i < ConfidenceFeatures::kCount; ++i) {
    weights[ConfidenceFeatures::names()[i]] = weights_[i];
  }
  return {{"bias", bias_}, {"weights", std::move(weights)}};
}

double ConfidenceModel::probability(const ConfidenceFeatures& features) const {
  double z = bias_;
  for (std::size_t i = 0; i < ConfidenceFeatures::kCount; ++i) {
    z += weights_[i] * features.values[i];
  }
  return sigmoid(z);
}

AnswerConfidence::AnswerConfidence(std::shared_ptr<const TermStatistics> terms,
                                   ConfidenceModel model)
    : terms_(std::move(terms)), model_(model) {}

ConfidenceFeatures AnswerConfidence::features(std::string_view query,
                                              const std::vector<Hit>& hits) const {
  ConfidenceFeatures out;
  if (hits.empty()) return out;
  const std::vector<std::string> terms = terms_->terms(query);
  std::vector<double> idf;
  double total = 0;
  double known = 0;
  for (const auto& t : terms) {
    idf.push_back(terms_->idf(t));
    total += idf.back();
    if (terms_->known(t)) known += idf.back();
  }
  auto& v = out.values;
  const TermEvidence e = termEvidence(*terms_, terms, idf, hits.front().article);
  v[kCoverage] = total > 0 ? e.covered / total : 0;
  v[kTitleCoverage] = total > 0 ? e.in_title / total : 0;
  v[kKnown] = total > 0 ? known / total : 0;
  v[kMissingRarity] = e.rarest_missing / terms_->unknownIdf();
  const double top = hits.front().score;
  const double next = hits.size() > 1 ? hits[1].score : 0;
  v[kLead] = top > 0 ? std::clamp((top - next) / top, 0.0, 1.0) : 0;
  v[kEngineScore] = std::clamp(top, 0.0, 1.0);
  v[kTerms] = std::min(static_cast<double>(terms.size()), kLongQuestionTerms) / kLongQuestionTerms;
  return out;
}

double AnswerConfidence::probability(std::string_view query, const std::vector<Hit>& hits) const {
  return hits.empty() ? 0.0 : model_.probability(features(query, hits));
}

void AnswerConfidence::score(std::string_view query, std::vector<Hit>& hits) const {
  if (hits.empty()) return;
  const double confidence = probability(query, hits);
  const double top = hits.front().score;
  for (auto& hit : hits) {
    const double relative = top > 0 ? hit.score / top : 0;
    hit.score = confidence * std::min(1.0, relative / kSourceBand);
  }
}

}  // namespace chatbot::retrieval
