#pragma once
// Locates the real GGUF models the tests run (see ../shared/models/README.md). A missing model is
// a test failure, not a skip: these tests are how we know llama.cpp really works here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace chatbot::testing {

inline std::filesystem::path testModelsDir() {
  if (const char* env = std::getenv("CHATBOT_TEST_MODELS_DIR"); env != nullptr && *env != '\0')
    return env;
  return CHATBOT_TEST_MODELS_DIR;
}

// Path of a model in the test models folder, e.g. testModel("stories260K.gguf"). Fails the
// current test (fatally) when it is not there.
inline std::filesystem::path testModel(const std::string& file) {
  const auto path = testModelsDir() / file;
  EXPECT_TRUE(std::filesystem::is_regular_file(path))
      << "test model " << path
      << " is missing; set CHATBOT_TEST_MODELS_DIR to the folder holding it";
  return path;
}

}  // namespace chatbot::testing
