#pragma once
// Runs one store operation and turns a StoreError (the database refused: I/O, locked, full) into
// the Error clients get (503 storage_unavailable, nothing saved), logging the cause. The one
// place where store failures become request failures.
#include <type_traits>

#include "observability/log.h"
#include "store/store.h"
#include "util/error.h"

namespace chatbot::support {

template <class Operation>
auto storeCall(const char* operation, Operation&& run) -> decltype(run()) {
  try {
    return run();
  } catch (const store::StoreError& e) {
    log::error("store.failed", {{"operation", operation}, {"error", e.what()}});
    return Error::storageUnavailable();
  }
}

}  // namespace chatbot::support
