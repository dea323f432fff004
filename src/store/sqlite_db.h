#pragma once
// A thin RAII layer over the sqlite3 C API for SqliteStore: a connection that owns its prepared
// statements, a scoped use of one statement, and a transaction that rolls back unless committed.
// Every failure is a StoreError naming what was attempted and SQLite's message.
//
// Not thread-safe: a Connection and everything obtained from it belong to one thread at a time
// (SqliteStore guards each connection with a mutex).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace chatbot::store::sqlite {

class Connection;

// One execution of a cached prepared statement: bind, step through the rows, read columns.
// Parameters and columns are numbered as in SQLite (parameters from 1, columns from 0). The
// destructor resets the statement and clears its bindings so that the next use starts clean even
// after an exception.
class Query {
 public:
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Named per type on purpose: overloads would let a `const char*` bind as a bool.
  Query& bindText(int index, std::string_view text);
  Query& bindInt(int index, std::int64_t value);
  Query& bindNull(int index);
  // NULL for an empty string: for optional columns where "" means "none" (e.g. a unique key).
  Query& bindTextOrNull(int index, std::string_view text);

  // Advances to the next row: true when there is one, false when the statement is done.
  bool step();
  // Runs a statement that returns no rows (INSERT, UPDATE, DELETE, ...).
  void run();

  bool isNull(int column) const;
  std::int64_t integer(int column) const;
  std::string text(int column) const;  // "" for NULL

 private:
  friend class Connection;
  Query(Connection& connection, sqlite3_stmt* statement, bool& in_use);

  Connection& connection_;
  sqlite3_stmt* statement_;
  bool& in_use_;
};

class Connection {
 public:
  // Opens (creating when `create`) the database file. Throws StoreError.
  Connection(const std::filesystem::path& path, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (pragmas, schema scripts).
  void execute(std::string_view sql);
  // The statement for `sql`, prepared on first use and kept for the connection's lifetime.
  // One Query per statement at a time: a second concurrent use is a programming error (throws).
  Query query(std::string_view sql);
  // The single value of a one-row, one-column query (a pragma read, say) as text.
  std::string scalarText(std::string_view sql);

  std::int64_t lastInsertRowid() const;
  // Rows changed by the latest INSERT/UPDATE/DELETE, not counting cascades and triggers.
  std::int64_t changes() const;
  bool inTransaction() const;

  // Throws StoreError "<what>: <SQLite's message> (<result code name>)" for result code `code`.
  [[noreturn]] void fail(std::string_view what, int code) const;

 private:
  struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };
  // Lets the cache be searched with a string_view without building a std::string per query.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept {
      return std::hash<std::string_view>{}(sql);
    }
  };

  sqlite3* db_ = nullptr;
  // Keyed by the SQL text. Elements of an unordered_map keep their address when it grows, which
  // Query (holding `in_use`) relies on.
  std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> statements_;
};

// A transaction on `connection`: BEGIN (readers: the snapshot is taken at the first read) or
// BEGIN IMMEDIATE (writers: takes the write lock now, so a writer never fails halfway through on
// a lock it could not upgrade). Rolls back in the destructor unless commit() succeeded.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  Transaction(Connection& connection, Mode mode);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace chatbot::store::sqlite
