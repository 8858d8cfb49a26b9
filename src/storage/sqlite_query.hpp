#pragma once
// The statement and transaction helpers of the SQLite backend, shared by its files
// (sqlite_storage.cpp, sqlite_tracking_store.cpp). Both require SqliteStorage's mutex for their
// whole life.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_storage.hpp"

namespace cairn {

/// One execution of a cached statement: bind, step, read columns; reset on destruction so the
/// statement can be reused. Requires mutex_ for its whole life.
class SqliteStorage::Query {
 public:
  Query(SqliteStorage& storage, std::string_view sql, std::string_view doing)
      : storage_(storage), stmt_(storage.statement(sql)), doing_(doing) {}
  ~Query() { sqlite3_reset(stmt_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  /// Binds a copy of `value`.
  Query& text(int index, std::string_view value) {
    return bind_text(index, value, SQLITE_TRANSIENT);
  }
  /// Binds `value` without copying it: it must stay alive and unchanged until reset(). For the
  /// event insert, where copying every field of every event is measurable.
  Query& text_ref(int index, std::string_view value) {
    return bind_text(index, value, SQLITE_STATIC);
  }
  Query& real(int index, double value) {
    check(sqlite3_bind_double(stmt_, index, value));
    return *this;
  }
  Query& integer(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  /// Binds a copy of `value`, or NULL.
  Query& text_or_null(int index, std::optional<std::string_view> value) {
    if (value) return text(index, *value);
    check(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  Query& real_or_null(int index, std::optional<double> value) {
    if (value) return real(index, *value);
    check(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  /// True when a row is available; false when the statement is done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw_sqlite_error(storage_.db_, storage_.path_, doing_);
    return false;
  }
  /// Makes the statement ready to be bound and stepped again.
  void reset() { sqlite3_reset(stmt_); }

  std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data == nullptr ? std::string() : std::string(data, sqlite3_column_bytes(stmt_, column));
  }
  /// The column's text without copying it; valid until the next step() or reset().
  std::string_view text_view(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data == nullptr ? std::string_view()
                           : std::string_view(data, sqlite3_column_bytes(stmt_, column));
  }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  Query& bind_text(int index, std::string_view value, sqlite3_destructor_type lifetime) {
    // A null data pointer would bind NULL; the columns are NOT NULL with '' for "none".
    check(sqlite3_bind_text(stmt_, index, value.empty() ? "" : value.data(),
                            static_cast<int>(value.size()), lifetime));
    return *this;
  }
  void check(int rc) {
    if (rc != SQLITE_OK) throw_sqlite_error(storage_.db_, storage_.path_, doing_);
  }

  SqliteStorage& storage_;
  sqlite3_stmt* stmt_;
  std::string_view doing_;
};

/// A write transaction, rolled back unless commit() is reached. IMMEDIATE takes the write lock
/// at BEGIN, so two processes never deadlock upgrading read locks (SQLite would fail one of
/// them with SQLITE_BUSY without waiting). Requires mutex_ for its whole life.
class SqliteStorage::Transaction {
 public:
  Transaction(SqliteStorage& storage, std::string_view doing) : storage_(storage), doing_(doing) {
    Query(storage_, "BEGIN IMMEDIATE", doing_).step();
  }
  ~Transaction() {
    // A failed statement may already have ended the transaction (SQLite rolls back on some
    // errors); a ROLLBACK outside one would fail.
    if (!committed_ && sqlite3_get_autocommit(storage_.db_) == 0) {
      sqlite3_exec(storage_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    Query(storage_, "COMMIT", doing_).step();
    committed_ = true;
  }

 private:
  SqliteStorage& storage_;
  std::string_view doing_;
  bool committed_ = false;
};

}  // namespace cairn
