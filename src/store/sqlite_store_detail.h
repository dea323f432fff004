#pragma once
// Server-internal, for the files that implement SqliteStore (sqlite_store.cpp,
// sqlite_store_tickets.cpp): the transaction wrapper every method runs in, and the conversions
// they share.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>

#include "store/sqlite_store.h"

namespace chatbot::store {

namespace detail {

// A count as an SQLite integer: values beyond INT64_MAX (SIZE_MAX meaning "no limit") saturate.
inline std::int64_t saturatedInt64(std::size_t value) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(value, kMax));
}

}  // namespace detail

template <typename Body>
auto SqliteStore::inTransaction(sqlite::Transaction::Mode mode, const char* method, Body&& body) {
  const bool writes = mode == sqlite::Transaction::Mode::kWrite;
  const util::MutexLock lock(writes ? write_mutex_ : read_mutex_);
  sqlite::Connection& connection = writes ? *writer_ : *reader_;
  const auto failure = [&](std::string_view problem) {
    return StoreError("store database " + path_.string() + ": " + method + ": " +
                      std::string(problem));
  };
  try {
    sqlite::Transaction transaction(connection, mode);
    if constexpr (std::is_void_v<std::invoke_result_t<Body, sqlite::Connection&>>) {
      body(connection);
      transaction.commit();
    } else {
      auto result = body(connection);
      transaction.commit();
      return result;
    }
  } catch (const StoreError& e) {
    throw failure(e.what());
  }
}

}  // namespace chatbot::store
