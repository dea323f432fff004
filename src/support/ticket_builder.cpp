#include "support/ticket_builder.h"

#include <algorithm>
#include <array>

#include "util/text.h"

namespace chatbot::support {

namespace {

bool containsAny(const std::string& lower, std::initializer_list<std::string_view> phrases) {
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](std::string_view p) { return lower.find(p) != std::string::npos; });
}

}  // namespace

store::TicketPriority inferPriority(std::string_view text) {
  const std::string lower = " " + util::collapseWhitespace(util::asciiLower(text)) + " ";
  if (containsAny(lower,
                  {"phishing", "hacked", "ransomware", "malware", "virus", "data breach", "breach",
                   "stolen", "lost my laptop", "lost laptop", "lost my phone", "compromised",
                   "suspicious login", "clicked a link", "clicked on a link"})) {
    return store::TicketPriority::kUrgent;
  }
  if (containsAny(lower, {"urgent", "asap", "emergency", " outage", " is down", " are down",
                          " went down", "everyone", "all users", "whole team", "entire team",
                          "nobody can", "no one can", "can't work", "cannot work", "can not work",
                          "blocked", "deadline", "production"})) {
    return store::TicketPriority::kHigh;
  }
  if (containsAny(lower,
                  {" request ", "would like", "could i get", "can i get", "when you have time",
                   "no rush", "not urgent", "new software", "install "})) {
    return store::TicketPriority::kLow;
  }
  return store::TicketPriority::kNormal;
}

std::string shortSubject(std::string_view text, std::size_t max_chars) {
  std::string line = util::collapseWhitespace(text.substr(0, text.find('\n')));
  if (line.size() <= max_chars) return line;
  std::size_t cut = line.rfind(' ', max_chars);
  if (cut == std::string::npos || cut < max_chars / 2) cut = max_chars;
  // Never split a UTF-8 character.
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return std::string(util::trim(std::string_view(line).substr(0, cut))) + "\xE2\x80\xA6";
}

store::NewTicket buildTicket(const TicketDraft& draft,
                             const std::vector<store::Exchange>& transcript,
                             const std::vector<store::CitedSource>& description_matches) {
  store::NewTicket t;
  t.session_id = draft.session_id;
  t.contact = draft.contact;
  t.idempotency_key = draft.idempotency_key;
  t.transcript = transcript;

  // Articles already tried: every source given to an answer, first mention first.
  for (const auto& exchange : transcript) {
    for (const auto& source : exchange.sources) {
      const bool seen = std::any_of(
          t.articles_tried.begin(), t.articles_tried.end(),
          [&](const store::CitedSource& s) { return s.article_id == source.article_id; });
      if (!seen) t.articles_tried.push_back(source);
    }
  }

  if (!draft.description.empty()) {
    t.description = draft.description;
  } else {
    t.description = "Reported from a chatbot conversation. The user asked:";
    for (const auto& exchange : transcript) t.description += "\n- " + exchange.query;
  }

  std::string subject_from = draft.subject;
  if (subject_from.empty()) subject_from = draft.description;
  if (subject_from.empty() && !transcript.empty()) subject_from = transcript.front().query;
  t.subject = shortSubject(subject_from.empty() ? "IT support request" : subject_from);

  // The category of the most recent answer's best categorised source; else of the description's.
  for (auto it = transcript.rbegin(); it != transcript.rend() && t.category.empty(); ++it) {
    for (const auto& source : it->sources) {
      if (!source.category.empty()) {
        t.category = source.category;
        break;
      }
    }
  }
  for (const auto& match : description_matches) {
    if (!t.category.empty()) break;
    t.category = match.category;
  }
  if (t.category.empty()) t.category = "general";

  if (draft.priority) {
    t.priority = *draft.priority;
  } else {
    std::string text = t.subject + "\n" + t.description;
    for (const auto& exchange : transcript) text += "\n" + exchange.query;
    t.priority = inferPriority(text);
  }
  return t;
}

}  // namespace chatbot::support
