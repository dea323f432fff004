#include "util/file.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chatbot::util {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace chatbot::util
