#include "cli/eval_queries.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace chatbot::cli {

namespace {

EvalQuery parseQuery(const std::string& line, int number) {
  const auto j = nlohmann::json::parse(line);
  EvalQuery q{j.value("id", std::to_string(number)),
              j.at("query").get<std::string>(),
              {},
              j.value("language", "")};
  // Out-of-domain questions may leave "relevant" out: nothing in the knowledge base answers them.
  if (j.contains("relevant")) {
    for (const auto& r : j.at("relevant")) {
      q.relevant.insert(r.is_string() ? r.get<std::string>() : r.dump());
    }
  }
  return q;
}

}  // namespace

std::vector<EvalQuery> readQueries(const std::string& path, const std::string& language) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<EvalQuery> queries;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      EvalQuery q = parseQuery(line, number);
      if (language.empty() || q.language.empty() || q.language == language) {
        queries.push_back(std::move(q));
      }
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(number) +
                               ": expected {\"id\", \"query\", \"relevant\": [ids]}: " + e.what());
    }
  }
  return queries;
}

}  // namespace chatbot::cli
