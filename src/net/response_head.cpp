#include "net/response_head.h"

#include <charconv>

#include "util/text.h"

namespace chatbot::net {

std::string_view ResponseHead::field(std::string_view lower_name) const {
  const auto it = fields.find(lower_name);
  return it == fields.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::uint64_t> ResponseHead::contentLength() const {
  return has("content-length") ? parseDecimal(field("content-length")) : std::nullopt;
}

std::optional<std::uint64_t> parseDecimal(std::string_view text) {
  text = util::trim(text);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

void addHeaderLine(std::string_view raw, std::vector<ResponseHead>& heads) {
  const std::string_view line = util::trim(raw);
  if (line.starts_with("HTTP/")) {
    ResponseHead head;
    const auto space = line.find(' ');
    if (space != std::string_view::npos) {
      head.status = static_cast<long>(parseDecimal(line.substr(space + 1, 3)).value_or(0));
    }
    heads.push_back(std::move(head));
    return;
  }
  const auto colon = line.find(':');
  if (heads.empty() || colon == std::string_view::npos) return;
  heads.back().fields.insert_or_assign(util::asciiLower(util::trim(line.substr(0, colon))),
                                       std::string(util::trim(line.substr(colon + 1))));
}

std::optional<ContentRange> parseContentRange(std::string_view value) {
  value = util::trim(value);
  if (!value.starts_with("bytes ")) return std::nullopt;
  value.remove_prefix(6);
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  ContentRange range;
  const std::string_view span = value.substr(0, slash);
  if (span != "*") {
    const auto dash = span.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    range.first = parseDecimal(span.substr(0, dash));
    if (!range.first) return std::nullopt;
  }
  if (value.substr(slash + 1) != "*") {
    const auto total = parseDecimal(value.substr(slash + 1));
    if (!total) return std::nullopt;
    range.total = *total;
  }
  return range;
}

}  // namespace chatbot::net
