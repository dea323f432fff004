#pragma once
// Versioned schema of the SQLite store. The database's `PRAGMA user_version` is the number of
// migrations applied to it; migrate() applies the missing ones in order, in one transaction.
#include <string_view>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace chatbot::store {

// The database was written for a schema this build cannot use (a newer one, or none at all).
// Its message says what to do; no generic "check the disk" advice applies.
class IncompatibleSchemaError : public StoreError {
 public:
  using StoreError::StoreError;
};

// The schema version this build creates and understands.
int latestSchemaVersion() noexcept;
// The SQL that takes a database from `version` - 1 to `version` (1..latest; throws
// std::out_of_range otherwise). For tests that build an older database.
std::string_view migrationScript(int version);

// Brings the database on `connection` to latestSchemaVersion(), or changes nothing and throws:
// IncompatibleSchemaError when the database is newer than this build or another program's,
// StoreError when SQLite fails.
void migrate(sqlite::Connection& connection);

}  // namespace chatbot::store
