#include "retrieval/stopwords.h"

namespace chatbot::retrieval {

const std::vector<std::string_view>& englishStopwords() {
  static const std::vector<std::string_view> kWords = {
      "a",          "about",     "above",   "after",    "again",   "against", "all",
      "am",         "an",        "and",     "any",      "are",     "aren't",  "as",
      "at",         "be",        "because", "been",     "before",  "being",   "below",
      "between",    "both",      "but",     "by",       "can",     "can't",   "cannot",
      "could",      "couldn't",  "did",     "didn't",   "do",      "does",    "doesn't",
      "doing",      "don't",     "down",    "during",   "each",    "few",     "for",
      "from",       "further",   "get",     "gets",     "getting", "got",     "had",
      "hadn't",     "has",       "hasn't",  "have",     "haven't", "having",  "he",
      "hello",      "help",      "her",     "here",     "hers",    "herself", "hey",
      "hi",         "him",       "himself", "his",      "how",     "i",       "i'd",
      "i'll",       "i'm",       "i've",    "if",       "in",      "into",    "is",
      "isn't",      "it",        "it's",    "its",      "itself",  "just",    "keep",
      "keeps",      "let",       "let's",   "me",       "more",    "most",    "much",
      "must",       "my",        "myself",  "need",     "needs",   "no",      "nor",
      "not",        "now",       "of",      "off",      "ok",      "okay",    "on",
      "once",       "only",      "or",      "other",    "our",     "ours",    "ourselves",
      "out",        "over",      "own",     "please",   "pls",     "same",    "she",
      "should",     "shouldn't", "so",      "some",     "such",    "than",    "thank",
      "thanks",     "that",      "that's",  "the",      "their",   "theirs",  "them",
      "themselves", "then",      "there",   "these",    "they",    "this",    "those",
      "through",    "to",        "too",     "try",      "tried",   "trying",  "under",
      "until",      "up",        "very",    "want",     "wants",   "was",     "wasn't",
      "way",        "we",        "were",    "weren't",  "what",    "what's",  "when",
      "where",      "which",     "while",   "who",      "whom",    "why",     "will",
      "with",       "won't",     "would",   "wouldn't", "you",     "your",    "yours",
      "yourself",   "yourselves"};
  return kWords;
}

}  // namespace chatbot::retrieval
