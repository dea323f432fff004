#pragma once
// The contract every store::AccessStore backend must pass (API keys, the audit trail, server
// secrets), instantiated per backend with ACCESS_STORE_CONTRACT_INSTANTIATE, as store_contract.h
// does for Store.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "contracts/store_contract.h"
#include "store/access_store.h"

namespace chatbot::store::contract {

using AccessStoreFactory = std::function<std::unique_ptr<AccessStore>(const fs::path& scratch_dir)>;

struct AccessStoreBackend {
  std::string name;
  AccessStoreFactory make;
};

inline void PrintTo(const AccessStoreBackend& backend, std::ostream* out) {
  *out << backend.name;
}

class AccessStoreContract : public ::testing::TestWithParam<AccessStoreBackend> {
 protected:
  void TearDown() override { store_.reset(); }
  AccessStore& store() {
    if (!store_) store_ = GetParam().make(scratch_.path());
    return *store_;
  }

  ScratchDir scratch_;
  std::unique_ptr<AccessStore> store_;
};

inline std::string accessBackendName(const ::testing::TestParamInfo<AccessStoreBackend>& info) {
  return info.param.name;
}

}  // namespace chatbot::store::contract

#define ACCESS_STORE_CONTRACT_INSTANTIATE(prefix, backend)                         \
  INSTANTIATE_TEST_SUITE_P(prefix, AccessStoreContract, ::testing::Values backend, \
                           ::chatbot::store::contract::accessBackendName)
