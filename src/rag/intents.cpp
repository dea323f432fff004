#include "rag/intents.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "retrieval/synonyms.h"
#include "retrieval/term_statistics.h"
#include "util/file.h"
#include "util/text.h"

namespace chatbot::rag {

namespace {

using Words = std::vector<std::string>;
using WordSet = std::unordered_set<std::string_view>;

// Small talk is short; a longer message with these words in it is about something else.
constexpr std::size_t kMaxSmallTalkWords = 8;
constexpr std::size_t kMaxRequestWords = 12;

bool has(const Words& words, const WordSet& set) {
  return std::any_of(words.begin(), words.end(), [&](const auto& w) { return set.contains(w); });
}

// Every word is in `allowed` (or in `core`), and at least one is in `core`.
bool onlyOf(const Words& words, const WordSet& core, const WordSet& allowed) {
  return has(words, core) && std::all_of(words.begin(), words.end(), [&](const auto& w) {
           return core.contains(w) || allowed.contains(w);
         });
}

bool isGreeting(const Words& words) {
  static const WordSet kCore = {"hi",      "hello",     "hey",     "hiya", "howdy", "greetings",
                                "morning", "afternoon", "evening", "yo",   "hallo"};
  static const WordSet kAllowed = {"good", "there", "all",   "team",  "bot", "everyone", "how",
                                   "are",  "you",   "doing", "today", "is",  "anyone",   "here"};
  return words.size() <= kMaxSmallTalkWords && onlyOf(words, kCore, kAllowed);
}

bool isThanks(const Words& words) {
  static const WordSet kCore = {"thanks", "thank", "thx", "cheers", "ty", "bye", "goodbye", "ta"};
  static const WordSet kAllowed = {
      "you",   "so",    "much",   "a",         "lot",   "many",   "very",    "great",
      "ok",    "okay",  "that",   "helped",    "works", "worked", "perfect", "awesome",
      "cool",  "got",   "it",     "brilliant", "for",   "the",    "help",    "all",
      "now",   "fixed", "solved", "again",     "good",  "nice",   "have",    "day",
      "super", "many",  "loads",  "wonderful"};
  return words.size() <= kMaxSmallTalkWords && onlyOf(words, kCore, kAllowed);
}

bool asksForHuman(const Words& words) {
  if (words.size() > kMaxRequestWords) return false;
  static const WordSet kPerson = {"human", "person",     "someone", "somebody",
                                  "agent", "technician", "people",  "operator"};
  static const WordSet kVerb = {"talk", "speak", "chat", "connect", "transfer", "call", "reach"};
  const bool human_alone = words.size() <= 3 && has(words, {"human", "operator"});
  return human_alone || (has(words, kPerson) && has(words, kVerb));
}

bool asksForTicket(const Words& words) {
  if (words.size() > kMaxRequestWords) return false;
  static const WordSet kVerb = {"open", "create", "raise", "log",
                                "file", "submit", "make",  "start"};
  return (has(words, {"ticket", "incident"}) && has(words, kVerb)) ||
         (words.size() <= 3 && has(words, {"escalate"}));
}

Words stems(std::string_view text) {
  Words out;
  for (const auto& w : retrieval::wordTokens(text)) out.push_back(retrieval::englishStem(w));
  return out;
}

bool containsPhrase(const Words& words, const Words& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) return false;
  return std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end();
}

}  // namespace

std::string_view toString(Intent intent) {
  switch (intent) {
    case Intent::kNone:
      return "";
    case Intent::kGreeting:
      return "greeting";
    case Intent::kThanks:
      return "thanks";
    case Intent::kHuman:
      return "human";
    case Intent::kTicket:
      return "ticket";
    case Intent::kOutOfScope:
      return "out_of_scope";
  }
  return "";
}

Intent detectIntent(std::string_view message) {
  const Words words = retrieval::wordTokens(message);
  if (words.empty()) return Intent::kNone;
  if (isGreeting(words)) return Intent::kGreeting;
  if (isThanks(words)) return Intent::kThanks;
  if (asksForHuman(words)) return Intent::kHuman;
  if (asksForTicket(words)) return Intent::kTicket;
  return Intent::kNone;
}

OutOfScopeTopics OutOfScopeTopics::parse(std::string_view text) {
  OutOfScopeTopics table;
  int number = 0;
  for (auto line : util::split(text, '\n')) {
    ++number;
    line = util::withoutComment(line);
    if (line.empty()) continue;
    const auto fields = util::split(line, '|');
    if (fields.size() != 3 || util::trim(fields[0]).empty() || util::trim(fields[1]).empty()) {
      throw std::runtime_error("out-of-scope topics line " + std::to_string(number) +
                               ": expected 'name | contact | phrase, phrase, ...'");
    }
    OutOfScopeTopic topic{
        std::string(util::trim(fields[0])), std::string(util::trim(fields[1])), {}};
    for (const auto phrase : util::split(fields[2], ',')) {
      auto words = stems(phrase);
      if (!words.empty()) topic.phrases.push_back(std::move(words));
    }
    if (topic.phrases.empty()) {
      throw std::runtime_error("out-of-scope topics line " + std::to_string(number) +
                               ": list at least one phrase after the second '|'");
    }
    table.topics_.push_back(std::move(topic));
  }
  return table;
}

OutOfScopeTopics OutOfScopeTopics::load(const std::filesystem::path& path) {
  return parse(util::readFile(path));
}

OutOfScopeTopics::Match OutOfScopeTopics::match(std::string_view message) const {
  if (topics_.empty()) return {};
  const Words words = stems(message);
  for (const auto& topic : topics_) {
    for (const auto& phrase : topic.phrases) {
      if (containsPhrase(words, phrase)) return {&topic, &phrase};
    }
  }
  return {};
}

std::string intentReply(Intent intent, const std::string& contact, const OutOfScopeTopic* topic) {
  switch (intent) {
    case Intent::kGreeting:
      return "Hello! I answer IT questions from the company's knowledge base. Ask me something "
             "like \"How do I reset my password?\" or \"The VPN keeps disconnecting\".";
    case Intent::kThanks:
      return "You're welcome! If anything else comes up, just ask.";
    case Intent::kHuman:
      return "I can hand this to a person: open a ticket and the IT service desk gets this "
             "conversation with it. You can also reach " +
             contact + " directly.";
    case Intent::kTicket:
      return "I can open a ticket for the IT service desk with this conversation attached. If you "
             "have not described the problem yet, add a sentence or two about what happens and "
             "any error message.";
    case Intent::kOutOfScope:
      if (topic != nullptr) {
        return "That sounds like a question for " + topic->contact +
               ": the IT knowledge base does not cover " + topic->name + " topics.";
      }
      break;
    case Intent::kNone:
      break;
  }
  return "";
}

}  // namespace chatbot::rag
