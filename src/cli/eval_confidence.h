#pragma once
// Selective answering and the answer-confidence fit for `chatbot eval` (see eval_confidence.cpp).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/eval_queries.h"
#include "eval/selective.h"
#include "ingest/knowledge_index.h"
#include "retrieval/answer_confidence.h"

namespace chatbot::cli {

struct ConfidenceEvalInput {
  const ingest::KnowledgeIndex& index;
  const retrieval::Retriever& retriever;
  std::vector<EvalQuery> in_domain;      // questions with a relevant article in the index
  std::vector<EvalQuery> out_of_domain;  // questions without one
  std::optional<retrieval::ConfidenceModel> model;  // CONFIDENCE_MODEL, if any
  double threshold = 0.35;                          // MIN_ANSWER_SCORE
  std::string fit_output;                           // non-empty: fit a model and write it here
  bool json = false;
  bool show_progress = false;
};

// Prints the selective-answering curves (unless json) and returns them as JSON: by the engine's
// score, by the model (fitted, or CONFIDENCE_MODEL), and two-fold cross-validated when fitting.
// Throws std::runtime_error when a fit is asked for and impossible.
nlohmann::json evaluateConfidence(const ConfidenceEvalInput& input);

}  // namespace chatbot::cli
