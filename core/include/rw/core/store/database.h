// Database: a thin RAII wrapper over one sqlite3 connection, plus Statement (prepared statement with
// bind/step/column) and Transaction (BEGIN IMMEDIATE ... COMMIT, rollback when not committed).
// This file is the only place connection pragmas are set. It knows nothing about the Ropewalk schema
// (see migrations.h) or about runs (see run_store.h). sqlite3.h stays out of this header.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace rw::core {

enum class OpenMode { ReadWrite, ReadOnly };

class Database;

/// One prepared statement. Parameters are 1-based (SQLite convention), columns 0-based.
/// Must not outlive the Database that prepared it.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  /// Advances; true when a row is available, false when done. Error (naming the file) otherwise.
  bool step();
  /// Runs a statement that returns no rows (asserts it finishes).
  void run();
  /// Resets so the statement can be stepped again; bindings are kept unless clear_bindings().
  void reset();
  void clear_bindings();

  bool column_is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;

 private:
  friend class Database;
  Statement(const Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  const Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

/// One open connection. Not thread-safe: use one Database per thread (SQLite handles processes).
class Database {
 public:
  /// Called after the file is opened and known to be a SQLite database, before any pragma that can change
  /// the file (journal_mode=WAL). Lets a caller refuse a file (e.g. schema too new) and leave it untouched.
  using Inspect = std::function<void(Database&)>;

  /// Opens (ReadWrite creates the file if missing) and configures the connection: busy_timeout=5000,
  /// foreign_keys=ON, synchronous=NORMAL, journal_mode=WAL (ReadWrite only; a reader cannot change it).
  /// Error naming the file when it cannot be opened or is not a SQLite database.
  static Database open(const std::filesystem::path& path, OpenMode mode, const Inspect& inspect = {});

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::filesystem::path& path() const { return path_; }
  OpenMode mode() const { return mode_; }
  bool read_only() const { return mode_ == OpenMode::ReadOnly; }

  /// Runs one or more ';'-separated statements that return no rows of interest.
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);

  /// PRAGMA user_version (the schema version, see migrations.h).
  int user_version();
  void set_user_version(int version);
  /// Number of entries in sqlite_schema (0 for a fresh file).
  std::int64_t schema_object_count();

  /// True inside BEGIN ... COMMIT (sqlite3_get_autocommit is off).
  bool in_transaction() const;

  std::int64_t last_insert_rowid() const;
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

  /// Consistent copy of the whole database into `target` (VACUUM INTO a temp sibling, then rename):
  /// a half-written backup never carries the final name. Not inside a transaction.
  void backup_to(const std::filesystem::path& target);

  /// Throws Error "<file>: <what>: <sqlite message> (code N)".
  [[noreturn]] void fail_sqlite(std::string_view what, int rc) const;

 private:
  Database(std::filesystem::path path, OpenMode mode, sqlite3* handle)
      : path_(std::move(path)), mode_(mode), db_(handle) {}
  void configure(const Inspect& inspect);

  std::filesystem::path path_;
  OpenMode mode_ = OpenMode::ReadWrite;
  sqlite3* db_ = nullptr;
};

/// Scope guard for a write transaction. BEGIN IMMEDIATE takes the write lock up front, so two writers
/// queue on busy_timeout instead of deadlocking on a read->write upgrade (SQLITE_BUSY mid-transaction).
/// Call commit(); leaving the scope without commit() rolls back (e.g. when an exception unwinds).
class Transaction {
 public:
  enum class Kind { Immediate, Deferred };
  explicit Transaction(Database& db, Kind kind = Kind::Immediate);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool open_ = false;
};

/// Milliseconds since the Unix epoch (the store's timestamp unit).
std::int64_t now_ms();

}  // namespace rw::core
