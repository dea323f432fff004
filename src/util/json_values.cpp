#include "util/json_values.h"

#include <string>

namespace chatbot::util {

nlohmann::json nullIfEmpty(std::string_view text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(text));
}

}  // namespace chatbot::util
