#pragma once
#include <filesystem>
#include <string>

namespace chatbot::util {

// Whole file as bytes. Throws std::runtime_error naming the path if it cannot be read.
std::string readFile(const std::filesystem::path& path);

}  // namespace chatbot::util
