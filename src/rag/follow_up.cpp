#include "rag/follow_up.h"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "retrieval/stopwords.h"
#include "util/text.h"

namespace chatbot::rag {

namespace {

struct Word {
  std::size_t begin;
  std::size_t end;
  std::string lower;  // ASCII-lowered, typographic apostrophes folded to '
};

// Words with inner apostrophes kept ("didn't"), so they match the stopword list.
std::vector<Word> words(std::string_view text) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !util::isWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == text.size()) break;
    Word w{i, i, {}};
    while (i < text.size()) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (util::isWordByte(c) && text.substr(i, 3) != "\xE2\x80\x99") {
        w.lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
        ++i;
      } else if ((c == '\'' || text.substr(i, 3) == "\xE2\x80\x99") && !w.lower.empty()) {
        const std::size_t len = c == '\'' ? 1 : 3;
        if (i + len >= text.size() ||
            !util::isWordByte(static_cast<unsigned char>(text[i + len]))) {
          break;
        }
        w.lower.push_back('\'');
        i += len;
      } else {
        break;
      }
    }
    w.end = i;
    out.push_back(std::move(w));
  }
  return out;
}

bool isStopword(std::string_view word) {
  static const std::unordered_set<std::string_view> kStop(retrieval::englishStopwords().begin(),
                                                          retrieval::englishStopwords().end());
  return kStop.count(word) > 0;
}

// Openings that continue the previous question rather than start a new one.
constexpr std::array<std::string_view, 17> kConnectives = {
    "and", "or", "but",  "also", "what about", "how about", "what if", "same", "then",
    "so",  "ok", "okay", "now",  "still",      "again",     "too",     "plus"};

// Words that point back at something said before.
constexpr std::array<std::string_view, 11> kAnaphora = {
    "it", "that", "this", "they", "them", "those", "these", "there", "one", "same", "its"};

constexpr std::array<std::string_view, 43> kFailurePhrases = {
    "didn't work",    "did not work",   "didnt work",  "doesn't work",  "does not work",
    "doesnt work",    "don't work",     "won't work",  "wont work",     "not working",
    "isn't working",  "is not working", "still not",   "still doesn't", "still does not",
    "still can't",    "still cannot",   "still won't", "still fail",    "still broken",
    "still the same", "still getting",  "still get ",  "still having",  "still see",
    "didn't help",    "did not help",   "didnt help",  "doesn't help",  "no luck",
    "same problem",   "same issue",     "same error",  "no change",     "nothing changed",
    "didn't fix",     "did not fix",    "doesn't fix", "not fixed",     "that failed",
    "it failed",      "still stuck",    "still no "};

// Names of the same kind: a follow-up naming one replaces any other of its kind in the earlier
// query. Longer names first within a kind, so "macbook air" wins over "macbook".
const std::vector<std::vector<std::string_view>>& productKinds() {
  static const std::vector<std::vector<std::string_view>> kKinds = {
      {"macbook air", "macbook pro", "mac mini",   "macbook", "imac",      "macos",    "os x",
       "mac",         "windows 11",  "windows 10", "windows", "chrome os", "chromeos", "chromebook",
       "ubuntu",      "linux",       "iphone",     "ipad",    "ios",       "android"},
      {"google chrome", "microsoft edge", "chrome", "firefox", "edge", "safari"},
      {"apple mail", "outlook", "gmail", "thunderbird"},
      {"microsoft teams", "google meet", "teams", "zoom", "webex", "slack", "skype"},
      {"word", "excel", "powerpoint", "onenote"},
      {"wi-fi", "wifi", "wireless", "ethernet", "vpn"},
  };
  return kKinds;
}

// Positions (word indices) where `phrase` (space-separated lower-case words) occurs in `ws`.
std::vector<std::size_t> findPhrase(const std::vector<Word>& ws, std::string_view phrase) {
  std::vector<std::string_view> parts;
  for (std::string_view p : util::split(phrase, ' ')) parts.push_back(p);
  // "wi-fi" is one word for the user but two for the tokenizer.
  std::vector<std::string_view> expanded;
  for (std::string_view p : parts) {
    for (std::string_view q : util::split(p, '-')) expanded.push_back(q);
  }
  std::vector<std::size_t> at;
  if (expanded.empty()) return at;
  for (std::size_t i = 0; i + expanded.size() <= ws.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < expanded.size() && match; ++k) {
      match = ws[i + k].lower == expanded[k];
    }
    if (match) at.push_back(i);
  }
  return at;
}

std::size_t phraseLength(std::string_view phrase) {
  return static_cast<std::size_t>(std::count_if(phrase.begin(), phrase.end(),
                                                [](char c) { return c == ' ' || c == '-'; })) +
         1;
}

// Kinds of product the text names (indices into productKinds()).
std::vector<std::size_t> kindsNamed(const std::vector<Word>& ws) {
  std::vector<std::size_t> kinds;
  const auto& all = productKinds();
  for (std::size_t k = 0; k < all.size(); ++k) {
    for (std::string_view name : all[k]) {
      if (!findPhrase(ws, name).empty()) {
        kinds.push_back(k);
        break;
      }
    }
  }
  return kinds;
}

bool startsWithConnective(const std::vector<Word>& ws) {
  return std::any_of(kConnectives.begin(), kConnectives.end(), [&](std::string_view c) {
    const auto at = findPhrase(ws, c);
    return !at.empty() && at.front() == 0;
  });
}

// Number of leading words that are a connective ("and", "what about"), to drop from the question.
std::size_t connectiveLength(const std::vector<Word>& ws) {
  std::size_t best = 0;
  for (std::string_view c : kConnectives) {
    const auto at = findPhrase(ws, c);
    if (!at.empty() && at.front() == 0) best = std::max(best, phraseLength(c));
  }
  return best;
}

// `text` without the names of the given kinds, and without the "on my" / "in the" words that led
// up to them, keeping the rest of the text as written.
std::string withoutKinds(std::string_view text, const std::vector<std::size_t>& kinds) {
  const std::vector<Word> ws = words(text);
  std::vector<bool> drop(ws.size(), false);
  static const std::unordered_set<std::string_view> kLeadIns = {
      "my", "the", "a", "an", "on", "in", "for", "with", "from", "using", "via", "our"};
  for (std::size_t kind : kinds) {
    for (std::string_view name : productKinds()[kind]) {
      for (std::size_t at : findPhrase(ws, name)) {
        const std::size_t len = phraseLength(name);
        for (std::size_t k = at; k < at + len; ++k) drop[k] = true;
        for (std::size_t k = at; k > 0 && kLeadIns.count(ws[k - 1].lower) > 0 && !drop[k - 1];
             --k) {
          drop[k - 1] = true;
        }
      }
    }
  }
  std::string out;
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (drop[i]) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(text.substr(ws[i].begin, ws[i].end - ws[i].begin));
  }
  return out;
}

}  // namespace

bool reportsFailure(std::string_view question) {
  std::string lower = util::asciiLower(question);
  // Typographic apostrophes (U+2019) read as ASCII ones.
  for (std::size_t at = lower.find("\xE2\x80\x99"); at != std::string::npos;
       at = lower.find("\xE2\x80\x99", at)) {
    lower.replace(at, 3, "'");
  }
  lower = util::collapseWhitespace(lower) + " ";
  return std::any_of(kFailurePhrases.begin(), kFailurePhrases.end(), [&](std::string_view phrase) {
    return lower.find(phrase) != std::string::npos;
  });
}

FollowUpResolution resolveFollowUp(std::string_view question,
                                   const std::vector<PriorTurn>& history) {
  FollowUpResolution out;
  out.standalone = std::string(util::trim(question));
  if (history.empty()) return out;

  const std::vector<Word> ws = words(question);
  std::size_t content = 0;
  bool refers_back = false;
  for (const auto& w : ws) {
    if (!isStopword(w.lower)) ++content;
    if (std::find(kAnaphora.begin(), kAnaphora.end(), w.lower) != kAnaphora.end()) {
      refers_back = true;
    }
  }
  const bool follow_up = reportsFailure(question) || startsWithConnective(ws) || content <= 2 ||
                         (refers_back && content <= 4);
  if (!follow_up) return out;

  const PriorTurn& last = history.back();
  const std::string& earlier = last.standalone.empty() ? last.question : last.standalone;
  const std::string base = withoutKinds(earlier, kindsNamed(ws));
  const std::size_t skip = connectiveLength(ws);
  const std::string_view own =
      skip < ws.size() ? question.substr(ws[skip].begin) : std::string_view{};
  out.standalone = util::collapseWhitespace(base + " " + std::string(own));
  out.rewritten = out.standalone != util::trim(question);
  return out;
}

}  // namespace chatbot::rag
