#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <limits>
#include <stdexcept>

#include "store/store.h"

namespace chatbot::store::sqlite {

namespace {

// Enough of a statement to recognise it in a log line.
std::string statementLabel(sqlite3_stmt* statement) {
  constexpr std::size_t kMaxChars = 60;
  std::string sql = sqlite3_sql(statement);
  for (char& c : sql) {
    if (c == '\n') c = ' ';
  }
  if (sql.size() > kMaxChars) sql = sql.substr(0, kMaxChars) + "...";
  return "`" + sql + "`";
}

int checkedLength(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw StoreError("a text of " + std::to_string(text.size()) + " bytes is too long to store");
  }
  return static_cast<int>(text.size());
}

}  // namespace

// ---- Query ----

Query::Query(Connection& connection, sqlite3_stmt* statement, bool& in_use)
    : connection_(connection), statement_(statement), in_use_(in_use) {
  in_use_ = true;
}

Query::~Query() {
  // The result codes repeat the last step's error, already reported by step().
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  in_use_ = false;
}

Query& Query::bindText(int index, std::string_view text) {
  // SQLITE_TRANSIENT copies: callers bind temporaries (a JSON dump, say) that die before step().
  // An empty string_view may have a null data(), which SQLite would bind as NULL, not "".
  const char* data = text.data() != nullptr ? text.data() : "";
  const int rc = sqlite3_bind_text(statement_, index, data, checkedLength(text), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) connection_.fail("binding parameter " + std::to_string(index), rc);
  return *this;
}

Query& Query::bindInt(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK) connection_.fail("binding parameter " + std::to_string(index), rc);
  return *this;
}

Query& Query::bindNull(int index) {
  const int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK) connection_.fail("binding parameter " + std::to_string(index), rc);
  return *this;
}

Query& Query::bindTextOrNull(int index, std::string_view text) {
  return text.empty() ? bindNull(index) : bindText(index, text);
}

bool Query::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  connection_.fail("running " + statementLabel(statement_), rc);
}

void Query::run() {
  while (step()) {
  }
}

bool Query::isNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t Query::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::string Query::text(int column) const {
  // column_text before column_bytes: the byte count is of the text conversion.
  const auto* data = sqlite3_column_text(statement_, column);
  if (data == nullptr) return {};
  const int size = sqlite3_column_bytes(statement_, column);
  return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)};
}

// ---- Connection ----

Connection::Connection(const std::filesystem::path& path, bool create) {
  // NOMUTEX: the owner serialises use of the connection, SQLite's own mutex would be redundant.
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // open_v2 may hand back a handle even when it fails; it carries the message.
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError("opening the file failed: " + message + " (SQLite code " + std::to_string(rc) +
                     ")");
  }
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.statement);
  // The last connection to close checkpoints the write-ahead log into the database file.
  sqlite3_close_v2(db_);
}

void Connection::execute(std::string_view sql) {
  // sqlite3_exec needs a NUL-terminated script.
  const std::string script(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError("running `" + script.substr(0, 60) + "` failed: " + text + " (SQLite code " +
                     std::to_string(rc) + ")");
  }
}

Query Connection::query(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), checkedLength(sql),
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) fail("preparing `" + std::string(sql.substr(0, 60)) + "`", rc);
    found = statements_.emplace(std::string(sql), CachedStatement{statement, false}).first;
  }
  CachedStatement& cached = found->second;
  // Two live Queries on one statement would reset each other's rows.
  if (cached.in_use) throw std::logic_error("statement already in use: " + std::string(sql));
  return Query(*this, cached.statement, cached.in_use);
}

std::string Connection::scalarText(std::string_view sql) {
  auto query = this->query(sql);
  if (!query.step()) throw StoreError("`" + std::string(sql) + "` returned no row");
  return query.text(0);
}

std::int64_t Connection::lastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

bool Connection::inTransaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

void Connection::fail(std::string_view what, int code) const {
  throw StoreError(std::string(what) + " failed: " + sqlite3_errmsg(db_) + " (SQLite code " +
                   std::to_string(code) + ")");
}

// ---- Transaction ----

Transaction::Transaction(Connection& connection, Mode mode) : connection_(connection) {
  // A transaction left open by a ROLLBACK that failed would make every later BEGIN fail.
  if (connection_.inTransaction()) connection_.query("ROLLBACK").run();
  connection_.query(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN").run();
}

Transaction::~Transaction() {
  // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, ...): only roll back
  // what is still open. A failing ROLLBACK is retried by the next Transaction's constructor.
  if (done_ || !connection_.inTransaction()) return;
  try {
    connection_.query("ROLLBACK").run();
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing better to do in a destructor
  }
}

void Transaction::commit() {
  connection_.query("COMMIT").run();
  done_ = true;
}

}  // namespace chatbot::store::sqlite
