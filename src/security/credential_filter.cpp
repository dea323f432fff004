#include "security/credential_filter.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <unordered_set>

#include "util/text.h"

namespace chatbot::security {

namespace {

struct Span {
  std::size_t begin;
  std::size_t end;
  std::string_view kind;
};

// Words that commonly follow "password is ..." in support requests and describe the password
// rather than being it ("my password is expired", "the token is not working").
const std::unordered_set<std::string>& statusWords() {
  static const std::unordered_set<std::string> kWords = {
      "a", "about", "again", "all", "already", "also", "always", "an", "and", "any", "are", "as",
      "asked", "at", "bad", "because", "being", "blank", "but", "by", "case", "changed", "correct",
      "definitely", "different", "disabled", "does", "doesn't", "done", "empty", "every", "expired",
      "expiring", "fine", "for", "from", "going", "good", "gone", "here", "how", "i", "in",
      "incorrect", "invalid", "is", "it", "just", "known", "last", "like", "locked", "long", "lost",
      "mine", "missing", "my", "needed", "never", "new", "no", "not", "now", "of", "ok", "okay",
      "old", "on", "only", "or", "probably", "really", "rejected", "required", "reset", "right",
      "same", "saved", "secure", "set", "short", "simple", "so", "somehow", "something", "still",
      "stored", "strong", "stuck", "supposed", "that", "the", "there", "this", "to", "too", "under",
      "unknown", "up", "valid", "very", "was", "weak", "what", "when", "where", "which", "why",
      "with", "working", "wrong", "yes", "you", "your",
      // irregular participles the "-ed" rule below does not catch
      "back", "broken", "forgotten", "hidden", "sent", "shown", "stolen", "taken", "written",
      // French / German / Spanish ("mot de passe est", "Passwort ist", "contraseña es")
      "bloqué", "bloquée", "expiré", "expirée", "faux", "incorrecte", "invalide", "oublié", "pas",
      "trop", "abgelaufen", "falsch", "gesperrt", "nicht", "noch", "ungültig", "zu", "bloqueada",
      "caducada", "demasiado", "incorrecta", "incorrecto", "muy"};
  return kWords;
}

bool isPlainLower(std::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(),
                                      [](char c) { return (c >= 'a' && c <= 'z') || c == '\''; });
}

// Decides whether the word after "password is" is the secret itself.
bool valueLooksSecret(std::string_view value, bool strong_separator) {
  if (value.empty()) return false;
  const std::string lower = util::asciiLower(value);
  if (statusWords().count(lower)) return false;
  const bool plain = isPlainLower(value);
  // "password: x" and "pwd=x" put a value there; "password is locked" usually does not.
  if (strong_separator) return true;
  if (plain && value.size() > 3 &&
      (lower.ends_with("ed") || lower.ends_with("ing") || lower.ends_with("ly"))) {
    return false;  // "expired", "working", "probably"
  }
  return true;
}

// Decides whether a value with no separator ("password Hunter2!") is clearly a secret.
bool valueStronglySecret(std::string_view value) {
  bool letter = false, digit = false, symbol = false, upper = false;
  for (const char c : value) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c >= 'A' && c <= 'Z') {
      upper = letter = true;
    } else if ((c >= 'a' && c <= 'z') || c == '\'' || static_cast<unsigned char>(c) >= 0x80) {
      // Apostrophes ("doesn't", "n'est") and UTF-8 bytes ("oublié") are part of ordinary words.
      letter = true;
    } else {
      symbol = true;
    }
  }
  if (value.size() < 4) return false;
  return (letter && digit) || (letter && symbol) || (digit && !letter && value.size() >= 4) ||
         (upper && letter && value.size() >= 8 && !isPlainLower(value.substr(1)));
}

// "my password is 12 characters long", "my PIN is 6 digits": a number followed by a unit describes
// the secret instead of being it.
bool describesLength(std::string_view value, std::string_view rest) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (value.empty() || !std::all_of(value.begin(), value.end(), is_digit)) return false;
  std::size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '-')) ++i;
  std::size_t j = i;
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  while (j < rest.size() && is_alpha(rest[j])) ++j;
  static const std::unordered_set<std::string> kUnits = {
      "attempts", "character", "characters", "chars",   "days",   "digit",
      "digits",   "hours",     "letters",    "minutes", "months", "numbers",
      "symbols",  "times",     "tries",      "weeks",   "years"};
  return kUnits.count(util::asciiLower(rest.substr(i, j - i))) > 0;
}

std::string_view trimPunctuation(std::string_view v, std::size_t& offset) {
  static constexpr std::string_view kTrail = ".,;:!?)\"'`";
  static constexpr std::string_view kLead = "\"'`(";
  while (!v.empty() && kLead.find(v.front()) != std::string_view::npos) {
    v.remove_prefix(1);
    ++offset;
  }
  while (!v.empty() && kTrail.find(v.back()) != std::string_view::npos) v.remove_suffix(1);
  return v;
}

}  // namespace

struct CredentialFilter::Patterns {
  // Whole match is the secret.
  struct Whole {
    std::unique_ptr<RE2> re;
    std::string_view kind;
  };
  std::vector<Whole> whole;
  // Capture group 1 is the secret.
  std::vector<Whole> captured;
  // "<keyword> [up to 3 words] <separator> <value>": group 1 separator, group 2 value.
  std::unique_ptr<RE2> statement;
  // "<keyword> <value>" with no separator.
  std::unique_ptr<RE2> bare;
  std::unique_ptr<RE2> card;
};

// The analyzer loses track of the unique_ptrs moved into the Whole/Captured aggregates of the
// vectors below and reports a leak at the end; every RE2 is owned by patterns_.
// NOLINTBEGIN(clang-analyzer-cplusplus.NewDeleteLeaks)
CredentialFilter::CredentialFilter() : patterns_(std::make_unique<Patterns>()) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(8 << 20);
  auto make = [&](std::string_view pattern) {
    auto re = std::make_unique<RE2>(pattern, opts);
    if (!re->ok()) throw std::logic_error("bad credential pattern: " + re->error());
    return re;
  };
  auto& p = *patterns_;
  p.whole.push_back(
      {make(
           R"((?s)-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z))"),
       "private_key"});
  p.whole.push_back({make(R"(PuTTY-User-Key-File-\d+:(?s:.*))"), "private_key"});
  p.whole.push_back({make(R"(\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b)"), "api_key"});
  p.whole.push_back({make(R"(\bgh[pousr]_[A-Za-z0-9]{30,}\b)"), "api_key"});
  p.whole.push_back({make(R"(\bgithub_pat_[A-Za-z0-9_]{22,})"), "api_key"});
  p.whole.push_back({make(R"(\bglpat-[A-Za-z0-9_\-]{20,})"), "api_key"});
  p.whole.push_back({make(R"(\bxox[abposre]-[A-Za-z0-9-]{10,})"), "api_key"});
  p.whole.push_back({make(R"(\bAIza[0-9A-Za-z_\-]{35})"), "api_key"});
  p.whole.push_back({make(R"(\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,})"), "api_key"});
  p.whole.push_back({make(R"(\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,})"), "api_key"});
  p.whole.push_back({make(R"(\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,})"), "api_key"});
  p.whole.push_back({make(R"(\bnpm_[A-Za-z0-9]{36}\b)"), "api_key"});
  p.whole.push_back(
      {make(R"(\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})"), "token"});
  p.whole.push_back({make(R"(\b\d{3}-\d{2}-\d{4}\b)"), "national_id"});

  p.captured.push_back({make(R"((?i)\bbearer\s+([A-Za-z0-9\-._~+/]{16,}=*))"), "token"});
  p.captured.push_back({make(R"((?i)\bbasic\s+([A-Za-z0-9+/]{12,}={0,2}))"), "token"});
  // scheme://user:secret@host (user may be empty: redis://:secret@host)
  p.captured.push_back(
      {make(R"(\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:([^\s@/]+)@)"), "connection_string"});
  // ADO/JDBC/ODBC and Azure style key=value;
  p.captured.push_back(
      {make(
           R"((?i)\b(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature|sig)\s*=\s*([^;\s"']+))"),
       "connection_string"});
  // api_key=..., client_secret: "...", AWS_SECRET_ACCESS_KEY=...
  p.captured.push_back(
      {make(
           R"((?i)\b(?:[a-z0-9]+_)*(?:api[_-]?key|apikey|secret[_-]?key|secret[_-]?access[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key|token|secret)["']?\s*[:=]\s*["']?([^\s"',;]{6,}))"),
       "api_key"});

  static constexpr std::string_view kKeywords =
      R"((?:passwords?|passwd|pass\s*word|pwd|pw|pass|passcodes?|passphrases?|pins?|pin\s+codes?|api\s+keys?|access\s+keys?|secret\s+keys?|client\s+secrets?|secrets?|tokens?|access\s+tokens?|recovery\s+keys?|bitlocker\s+(?:recovery\s+)?keys?|backup\s+codes?|verification\s+codes?|security\s+codes?|one[\s-]time\s+(?:pass)?codes?|otp|mfa\s+codes?|2fa\s+codes?|auth(?:entication)?\s+codes?|credentials?|login|mot\s+de\s+passe|passwort|kennwort|contrase(?:ñ|n)a))";
  p.statement = make(
      std::string(R"((?i)\b)") + std::string(kKeywords) +
      R"((?:\s+[\w'\-]+){0,3}?["']?,?\s*((?:\bis\b(?:\s+now)?|\bit(?:'|’)s\b|\bit\s+is\b|\bwas\b|\bwill\s+be\b|\bare\b|\best\b|\bist\b|\bes\b)(?:\s*:)?|:|=|->|\bto\b|\bof\b)\s*["'`]?(\S+))");
  p.bare = make(std::string(R"((?i)\b)") + std::string(kKeywords) + R"(\s+["'`]?(\S+))");
  p.card = make(R"(\b\d(?:[ \-]?\d){12,18}\b)");
}
// NOLINTEND(clang-analyzer-cplusplus.NewDeleteLeaks)

CredentialFilter::~CredentialFilter() = default;

bool looksLikeCardNumber(std::string_view text) noexcept {
  std::array<int, 19> digits{};
  std::size_t n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') continue;
    if (n == digits.size()) return false;
    digits[n++] = c - '0';
  }
  if (n < 13) return false;
  int sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    int d = digits[n - 1 - i];
    if (i % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

namespace {

// ---- redact's passes: each appends the spans one kind of pattern finds in `text` ----

std::size_t offsetIn(std::string_view text, const re2::StringPiece& piece) {
  return static_cast<std::size_t>(piece.data() - text.data());
}

// Every match of `re` is a secret of `kind`.
void findWholeMatches(const RE2& re, std::string_view kind, std::string_view text,
                      std::vector<Span>& spans) {
  const re2::StringPiece input(text.data(), text.size());
  re2::StringPiece m;
  std::size_t pos = 0;
  while (pos <= text.size() && re.Match(input, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
    spans.push_back({offsetIn(text, m), offsetIn(text, m) + m.size(), kind});
    pos = offsetIn(text, m) + std::max<std::size_t>(m.size(), 1);
  }
}

// Capture group 1 of every match of `re` is a secret of `kind`.
void findCapturedMatches(const RE2& re, std::string_view kind, std::string_view text,
                         std::vector<Span>& spans) {
  const re2::StringPiece input(text.data(), text.size());
  std::array<re2::StringPiece, 2> m;
  std::size_t pos = 0;
  while (pos <= text.size() && re.Match(input, pos, text.size(), RE2::UNANCHORED, m.data(), 2)) {
    if (!m[1].empty()) {
      spans.push_back({offsetIn(text, m[1]), offsetIn(text, m[1]) + m[1].size(), kind});
    }
    pos = offsetIn(text, m[0]) + std::max<std::size_t>(m[0].size(), 1);
  }
}

// "<keyword> ... <separator> <value>" (the statement pattern): the value, when it looks secret.
void findStatedPasswords(const RE2& statement, std::string_view text, std::vector<Span>& spans) {
  const re2::StringPiece input(text.data(), text.size());
  std::array<re2::StringPiece, 3> m;
  std::size_t pos = 0;
  while (pos <= text.size() &&
         statement.Match(input, pos, text.size(), RE2::UNANCHORED, m.data(), 3)) {
    std::size_t begin = offsetIn(text, m[2]);
    const std::size_t end = begin + m[2].size();
    const std::string_view separator(m[1].data(), m[1].size());
    // "password: x", "pwd=x" and "password is: x" put a value there.
    const bool strong = separator.ends_with(':') || separator == "=" || separator == "->";
    // Judge the word without surrounding punctuation, but redact the whole token: trailing
    // "!" or "." may belong to the secret.
    const std::string_view value = trimPunctuation({m[2].data(), m[2].size()}, begin);
    const bool secret = separator == "to" || separator == "of" ? valueStronglySecret(value)
                                                               : valueLooksSecret(value, strong);
    if (secret && !describesLength(value, text.substr(end))) {
      spans.push_back({begin, end, "password"});
    }
    pos = offsetIn(text, m[0]) + std::max<std::size_t>(m[0].size(), 1);
  }
}

// "<keyword> <value>" with no separator (the bare pattern): the value, when clearly a secret.
void findBarePasswords(const RE2& bare, std::string_view text, std::vector<Span>& spans) {
  const re2::StringPiece input(text.data(), text.size());
  std::array<re2::StringPiece, 2> m;
  std::size_t pos = 0;
  while (pos <= text.size() && bare.Match(input, pos, text.size(), RE2::UNANCHORED, m.data(), 2)) {
    std::size_t begin = offsetIn(text, m[1]);
    const std::size_t end = begin + m[1].size();
    const std::string_view value = trimPunctuation({m[1].data(), m[1].size()}, begin);
    if (valueStronglySecret(value)) spans.push_back({begin, end, "password"});
    pos = offsetIn(text, m[0]) + std::max<std::size_t>(m[0].size(), 1);
  }
}

// Digit runs the card pattern finds that pass the Luhn check.
void findCardNumbers(const RE2& card, std::string_view text, std::vector<Span>& spans) {
  const re2::StringPiece input(text.data(), text.size());
  re2::StringPiece m;
  std::size_t pos = 0;
  while (pos <= text.size() && card.Match(input, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
    if (looksLikeCardNumber({m.data(), m.size()})) {
      spans.push_back({offsetIn(text, m), offsetIn(text, m) + m.size(), "card_number"});
    }
    pos = offsetIn(text, m) + std::max<std::size_t>(m.size(), 1);
  }
}

// `text` with every span replaced by the marker (overlapping or touching spans share one), and
// the kinds found. Sorts `spans`.
Redaction replaceSpans(std::string_view text, std::vector<Span>& spans) {
  Redaction result;
  if (spans.empty()) {
    result.text.assign(text);
    return result;
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::size_t cursor = 0;
  bool first = true;
  for (const auto& s : spans) {
    if (std::find(result.kinds.begin(), result.kinds.end(), s.kind) == result.kinds.end()) {
      result.kinds.emplace_back(s.kind);
    }
    if (!first && s.end <= cursor) continue;  // inside a span already redacted
    const std::size_t begin = first ? s.begin : std::max(s.begin, cursor);
    // Overlapping or touching spans share one marker.
    if (first || begin > cursor) {
      first = false;
      result.text.append(text.substr(cursor, begin - cursor));
      result.text.append(kRedactionMarker);
    }
    cursor = s.end;
  }
  result.text.append(text.substr(cursor));
  return result;
}

}  // namespace

Redaction CredentialFilter::redact(std::string_view text) const {
  std::vector<Span> spans;
  const auto& p = *patterns_;
  for (const auto& w : p.whole) findWholeMatches(*w.re, w.kind, text, spans);
  for (const auto& c : p.captured) findCapturedMatches(*c.re, c.kind, text, spans);
  findStatedPasswords(*p.statement, text, spans);
  findBarePasswords(*p.bare, text, spans);
  findCardNumbers(*p.card, text, spans);
  return replaceSpans(text, spans);
}

}  // namespace chatbot::security
