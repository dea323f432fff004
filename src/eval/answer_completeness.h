#pragma once
// Whether extractive answers keep the promise of rag/answer_fit.h over a knowledge base: at a
// given max_tokens each answer is complete, shortened with a pointer to the rest, or cut (text
// left out with nothing in the answer saying so, or a line stopped mid-sentence). The judgement
// reads only the texts, not how the answer was built, so it also catches a fitting bug.
// `chatbot eval-answers` prints this report; a unit test holds the bundled KB to "none cut".
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rag/chat_service.h"

namespace chatbot::eval {

enum class Completeness { kComplete, kShortened, kCut };
std::string_view toString(Completeness completeness) noexcept;

// How `answer` relates to `full`, the whole answer from the same article: complete when equal;
// shortened when its last paragraph is one line naming `citation` (the pointer) and every line
// before it is a line of `full`, in order, whole or stopping at a sentence end; cut otherwise.
Completeness classifyAnswer(std::string_view answer, std::string_view full,
                            std::string_view citation);

struct CompletenessCounts {
  std::size_t complete = 0;
  std::size_t shortened = 0;
  std::size_t cut = 0;
  std::size_t steps_left_out = 0;  // shortened ones whose pointer names steps not shown whole
  void add(Completeness completeness) noexcept;
  std::size_t total() const noexcept { return complete + shortened + cut; }
};

// An answer that broke the promise: cut, or longer than max_tokens.
struct FailedAnswer {
  std::string article_id;  // the article the answer came from
  std::string question;    // empty: the article's own answer, fitted directly
  Completeness completeness = Completeness::kCut;
  std::size_t tokens = 0;
  std::string answer;
};

struct CompletenessReport {
  std::size_t max_tokens = 0;
  std::size_t articles = 0;
  // Each article's answer as if it were the best match for a question.
  CompletenessCounts by_article;
  // Each article's subject and alternative questions asked through the chat service.
  std::size_t questions = 0;
  std::size_t not_answered = 0;    // the service said it has no answer
  std::size_t other_article = 0;   // answered from another article than the one asked about
  CompletenessCounts by_question;  // the answered questions
  std::vector<FailedAnswer> failures;
};

// Fits every article of `service`'s index at `max_tokens`, then asks the service each article's
// subject and questions (top_k 4, no conversation). `service` must answer extractively (its
// generator's kind "extractive"): the full answer each reply is judged against is the extractive
// generator's whole answer from the reply's first search result.
CompletenessReport checkCompleteness(const rag::ChatService& service, std::size_t max_tokens);

}  // namespace chatbot::eval
