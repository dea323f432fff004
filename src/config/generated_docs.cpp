// Documentation generated from the setting declarations: `.env.example` and the README's table.
// Both are committed; unit tests fail when the committed text differs from what is generated here.
#include <optional>

#include "config/config.h"

namespace chatbot::config {

namespace {

// Calls `heading` before the first setting of each subsystem, then `row` for the setting.
template <typename Heading, typename Row>
void forEachGrouped(Heading heading, Row row) {
  std::optional<Subsystem> current;
  for (const auto& s : settings()) {
    if (current != s.subsystem) heading(s.subsystem);
    current = s.subsystem;
    row(s);
  }
}

std::string markdownCell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string envExample() {
  std::string out =
      "# chatbot configuration. Copy to .env and edit; real environment variables and CLI flags "
      "win\n"
      "# over this file. Generated from src/config/settings.cpp (`chatbot config "
      "--env-example`).\n";
  forEachGrouped(
      [&](Subsystem subsystem) { out += "\n# --- " + std::string(title(subsystem)) + " ---\n"; },
      [&](const Setting& s) {
        out += "\n# " + s.description + "\n";
        const bool quote = s.default_value.find_first_of(" #,()") != std::string::npos;
        out += s.name + "=" + (quote ? "\"" + s.default_value + "\"" : s.default_value) + "\n";
      });
  return out;
}

std::string settingsTable() {
  std::string out = "| Variable | Default | Meaning |\n|---|---|---|\n";
  forEachGrouped(
      [&](Subsystem subsystem) { out += "| **" + std::string(title(subsystem)) + "** | | |\n"; },
      [&](const Setting& s) {
        // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) on "literal" + string&&.
        out.append("| `").append(s.name).append("` | ");
        if (s.default_value.empty()) {
          out.append("(empty)");
        } else {
          out.append("`").append(markdownCell(s.default_value)).append("`");
        }
        out.append(" | ").append(markdownCell(s.description)).append(" |\n");
      });
  return out;
}

}  // namespace chatbot::config
