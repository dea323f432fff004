#pragma once
#include <string>
#include <string_view>

namespace chatbot::util {

// Lower-case hex SHA-256 of `data` (OpenSSL libcrypto).
std::string sha256Hex(std::string_view data);

}  // namespace chatbot::util
