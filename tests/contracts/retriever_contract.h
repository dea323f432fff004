#pragma once
// The contract every retrieval::Retriever must pass, as a value-parameterised GoogleTest suite
// over a factory (tests in retriever_contract.cpp). An implementation's test instantiates it:
//
//   namespace chatbot::retrieval::contract {  // the suite's name must resolve unqualified
//   INSTANTIATE_TEST_SUITE_P(Xapian, RetrieverContract,
//                            ::testing::Values(RetrieverBackend{"Xapian", makeXapian}),
//                            retrieverBackendName);
//   }
//
// The factory builds the retriever and the articles it searches into a scratch folder, once per
// instantiation (building an index is slow); the folder is removed after the suite.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "kb/article.h"
#include "retrieval/retriever.h"

namespace chatbot::retrieval::contract {

namespace fs = std::filesystem;

struct RetrieverUnderTest {
  std::shared_ptr<const Retriever> retriever;
  // What Hit.article indexes; shares ownership with whatever holds it (a KnowledgeIndex).
  std::shared_ptr<const std::vector<kb::Article>> articles;
};

struct RetrieverBackend {
  std::string name;  // letters and digits only: it becomes part of the test names
  std::function<RetrieverUnderTest(const fs::path& scratch_dir)> make;
  // Contract tests this retriever is known to fail, by test name, with the reason: they are
  // skipped (and say why) until the bug in the retriever is fixed. Keep this empty.
  std::map<std::string, std::string> known_failures = {};
};

inline void PrintTo(const RetrieverBackend& backend, std::ostream* out) {
  *out << backend.name;
}

inline std::string retrieverBackendName(const ::testing::TestParamInfo<RetrieverBackend>& info) {
  return info.param.name;
}

class RetrieverContract : public ::testing::TestWithParam<RetrieverBackend> {
 protected:
  void SetUp() override;
  static void TearDownTestSuite();

  const Retriever& retriever() const { return *built_->retriever; }
  const std::vector<kb::Article>& articles() const { return *built_->articles; }

 private:
  // Built by the first test of an instantiation, shared by the rest of it.
  static inline std::unique_ptr<RetrieverUnderTest> built_;
  static inline std::string built_for_;
  static inline fs::path scratch_dir_;
};

}  // namespace chatbot::retrieval::contract
