#pragma once
#include <string>
#include <string_view>

namespace chatbot::util {

// Appends `text` to `out` as a JSON string literal (with quotes). `text` must be valid UTF-8
// (validated at the API edge and on KB load); bytes >= 0x80 are copied as they are. Copies runs of
// plain characters in one go, which is several times faster than a per-character escaper on the
// article-sized strings of chat replies.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace chatbot::util
