#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace chatbot::util {

// Lower-case hex SHA-256 of `data` (OpenSSL libcrypto).
std::string sha256Hex(std::string_view data);
// Lower-case hex SHA-256 of a file's bytes, read in chunks (model files are gigabytes). Throws
// std::runtime_error naming the path if it cannot be read.
std::string sha256File(const std::filesystem::path& path);
// Lower-case hex HMAC-SHA256 of `data` under `key` (OpenSSL libcrypto); signs webhook deliveries.
std::string hmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace chatbot::util
