#pragma once
// Evaluation questions for `chatbot eval`: JSONL lines {"id", "query", "relevant": [ids],
// "language"?}.
#include <string>
#include <unordered_set>
#include <vector>

namespace chatbot::cli {

struct EvalQuery {
  std::string id;
  std::string text;
  std::unordered_set<std::string> relevant;
  std::string language;  // empty when the line names none
};

// Every question of the file at `path`; with `language`, only those in that language (questions
// that name no language always count). Throws std::runtime_error naming the line on a bad one.
std::vector<EvalQuery> readQueries(const std::string& path, const std::string& language = "");

}  // namespace chatbot::cli
