#include "eval/answer_completeness.h"

#include <limits>

#include "rag/extractive_generator.h"
#include "rag/tokens.h"
#include "util/text.h"

namespace chatbot::eval {

namespace {

std::vector<std::string_view> nonEmptyLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// `shown` is `line` whole, or `line` up to the end of one of its sentences.
bool wholeOrSentencesOf(std::string_view shown, std::string_view line) {
  if (shown == line) return true;
  if (shown.empty() || shown.size() >= line.size() || line.substr(0, shown.size()) != shown) {
    return false;
  }
  const char last = shown.back();
  return (last == '.' || last == '!' || last == '?' || last == ':') && line[shown.size()] == ' ';
}

}  // namespace

std::string_view toString(Completeness completeness) noexcept {
  switch (completeness) {
    case Completeness::kComplete:
      return "complete";
    case Completeness::kShortened:
      return "shortened";
    case Completeness::kCut:
      return "cut";
  }
  return "cut";
}

Completeness classifyAnswer(std::string_view answer, std::string_view full,
                            std::string_view citation) {
  if (answer == full) return Completeness::kComplete;
  const std::size_t split = answer.rfind("\n\n");
  const std::string_view pointer =
      split == std::string_view::npos ? answer : answer.substr(split + 2);
  if (pointer.find(citation) == std::string_view::npos ||
      pointer.find('\n') != std::string_view::npos) {
    return Completeness::kCut;
  }
  const auto full_lines = nonEmptyLines(full);
  std::size_t next = 0;
  const std::string_view body = split == std::string_view::npos ? "" : answer.substr(0, split);
  for (const std::string_view line : nonEmptyLines(body)) {
    while (next < full_lines.size() && !wholeOrSentencesOf(line, full_lines[next])) ++next;
    if (next == full_lines.size()) return Completeness::kCut;
    ++next;
  }
  return Completeness::kShortened;
}

void CompletenessCounts::add(Completeness completeness) noexcept {
  switch (completeness) {
    case Completeness::kComplete:
      ++complete;
      break;
    case Completeness::kShortened:
      ++shortened;
      break;
    case Completeness::kCut:
      ++cut;
      break;
  }
}

namespace {

constexpr std::string_view kCitation = "[1]";  // the extractive answer is its source [1]

// The pointer is the last paragraph: "Steps 5–7: see [1]." and "The rest of step 1: ..." name
// steps, "More: see [1]." does not.
bool pointerNamesSteps(std::string_view answer) {
  const std::size_t split = answer.rfind("\n\n");
  const std::string pointer =
      util::asciiLower(split == std::string_view::npos ? answer : answer.substr(split + 2));
  return pointer.find("step") != std::string::npos;
}

// Judges one answer from `article`; records it in `counts`, and in `report.failures` when it is
// cut or over budget (its tokens counted again here, not taken from the generator).
void judge(CompletenessReport& report, CompletenessCounts& counts,
           const rag::ExtractiveGenerator& generator, const kb::Article& article,
           std::string question, const std::string& answer) {
  const std::size_t tokens = rag::countTokens(answer);
  rag::GenerationRequest whole;
  whole.sources = {{&article, 1.0}};
  whole.max_tokens = std::numeric_limits<std::size_t>::max();
  const Completeness c = classifyAnswer(answer, generator.generate(whole).text, kCitation);
  counts.add(c);
  if (c == Completeness::kShortened && pointerNamesSteps(answer)) ++counts.steps_left_out;
  if (c == Completeness::kCut || tokens > report.max_tokens) {
    report.failures.push_back({article.id, std::move(question), c, tokens, answer});
  }
}

}  // namespace

CompletenessReport checkCompleteness(const rag::ChatService& service, std::size_t max_tokens) {
  const auto& articles = service.index().articles();
  const rag::ExtractiveGenerator generator("the IT Service Desk", &articles);
  CompletenessReport report;
  report.max_tokens = max_tokens;
  report.articles = articles.size();
  for (const auto& article : articles) {
    rag::GenerationRequest request;
    request.sources = {{&article, 1.0}};
    request.max_tokens = max_tokens;
    judge(report, report.by_article, generator, article, "", generator.generate(request).text);
  }
  for (const auto& article : articles) {
    std::vector<std::string> questions{article.subject};
    questions.insert(questions.end(), article.questions.begin(), article.questions.end());
    for (auto& question : questions) {
      ++report.questions;
      const rag::ChatAnswer answer = service.answer({.text = question, .max_tokens = max_tokens});
      if (!answer.answered || answer.results.empty()) {
        ++report.not_answered;
        continue;
      }
      const kb::Article& source = *answer.results.front().article;
      if (&source != &article) ++report.other_article;
      judge(report, report.by_question, generator, source, std::move(question), answer.response);
    }
  }
  return report;
}

}  // namespace chatbot::eval
