#pragma once
// The basics every rag::Generator must do, as value-parameterised GoogleTest suites over a factory
// (tests in generator_contract.cpp):
// - GeneratorContract: every generator (identity and status, max_tokens, streaming).
// - FallbackGeneratorContract: generators that can stand in as ChatService's fallback, which also
//   answers every request without confident sources: it says the knowledge base has no answer and
//   names the support contact.
// An implementation's test instantiates the suites that apply to it:
//
//   namespace chatbot::rag::contract {  // the suites' names must resolve unqualified
//   INSTANTIATE_TEST_SUITE_P(Extractive, GeneratorContract,
//                            ::testing::Values(GeneratorBackend{"Extractive", makeExtractive}),
//                            generatorBackendName);
//   }
//
// The factory is called once per instantiation (loading a model is slow).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "rag/generator.h"

namespace chatbot::rag::contract {

struct GeneratorBackend {
  std::string name;  // letters and digits only: it becomes part of the test names
  // Makes the generator; `support_contact` is what it must name when the KB has no answer.
  std::function<std::shared_ptr<const Generator>(const std::string& support_contact)> make;
};

inline void PrintTo(const GeneratorBackend& backend, std::ostream* out) {
  *out << backend.name;
}

inline std::string generatorBackendName(const ::testing::TestParamInfo<GeneratorBackend>& info) {
  return info.param.name;
}

class GeneratorContract : public ::testing::TestWithParam<GeneratorBackend> {
 protected:
  static constexpr const char* kSupportContact = "the IT Service Desk (ext. 4357)";

  void SetUp() override;
  static void TearDownTestSuite();
  const Generator& generator() const { return *built_; }

 private:
  // Made by the first test of an instantiation, shared by the rest of it.
  static inline std::shared_ptr<const Generator> built_;
  static inline std::string built_for_;
};

class FallbackGeneratorContract : public GeneratorContract {};

}  // namespace chatbot::rag::contract
