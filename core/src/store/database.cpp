// Database / Statement / Transaction: the sqlite3 C API behind RAII, with errors naming the file.
// Not the schema (migrations.cpp) and not the run model (run_store.cpp).
#include "rw/core/store/database.h"

#include <sqlite3.h>

#include <chrono>
#include <system_error>
#include <utility>

#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {

// ---- Statement --------------------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail_sqlite("bind", rc);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail_sqlite("bind", rc);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail_sqlite("bind", rc);
  return *this;
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_->fail_sqlite("bind", rc);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);  // so the statement is reusable after the Error
  db_->fail_sqlite(sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "step", rc);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() { sqlite3_reset(stmt_); }
void Statement::clear_bindings() { sqlite3_clear_bindings(stmt_); }

bool Statement::column_is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_int64(column);
}

// ---- Database ---------------------------------------------------------------------------------------

Database Database::open(const std::filesystem::path& path, OpenMode mode, const Inspect& inspect) {
  const int flags = (mode == OpenMode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(handle);
    fail("{}: cannot open database ({}): {}", path.string(), mode == OpenMode::ReadOnly ? "read-only" : "read-write",
         message);
  }
  sqlite3_extended_result_codes(handle, 1);
  Database db(path, mode, handle);
  db.configure(inspect);
  return db;
}

// The one place connection pragmas live. Order matters: nothing here may write to the file before
// `inspect` has had the chance to refuse it, so journal_mode=WAL (which rewrites the header) comes last.
void Database::configure(const Inspect& inspect) {
  // Waits up to 5 s for a lock instead of failing at once with SQLITE_BUSY.
  const int rc = sqlite3_busy_timeout(db_, 5000);
  if (rc != SQLITE_OK) fail_sqlite("busy_timeout", rc);
  // The first real read: a file that is not a database fails here with SQLITE_NOTADB.
  try {
    schema_object_count();
  } catch (const Error& e) {
    fail("{}: not a Ropewalk store (not a SQLite database or unreadable): {}", path_.string(), e.what());
  }
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA synchronous=NORMAL");  // with WAL: durable at checkpoints, never corrupt; much cheaper
  if (inspect) inspect(*this);
  if (mode_ == OpenMode::ReadWrite) {
    // WAL: readers (the GUI) never block the writer (a job) and vice versa.
    auto stmt = prepare("PRAGMA journal_mode=WAL");
    if (!stmt.step() || stmt.column_text(0) != "wal") fail("{}: could not switch to WAL journal mode", path_.string());
  }
}

Database::Database(Database&& other) noexcept
    : path_(std::move(other.path_)), mode_(other.mode_), db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    path_ = std::move(other.path_);
    mode_ = other.mode_;
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    fail("{}: {}: {} (code {})", path_.string(), text.substr(0, 120), why, rc);
  }
}

Statement Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) fail_sqlite(sql, rc);
  return Statement(this, stmt);
}

int Database::user_version() {
  auto stmt = prepare("PRAGMA user_version");
  stmt.step();
  return static_cast<int>(stmt.column_int64(0));
}

void Database::set_user_version(int version) { exec("PRAGMA user_version=" + std::to_string(version)); }

std::int64_t Database::schema_object_count() {
  auto stmt = prepare("SELECT count(*) FROM sqlite_master");
  stmt.step();
  return stmt.column_int64(0);
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

void Database::backup_to(const std::filesystem::path& target) {
  const auto temp = sibling_temp_path(target, "tmp");
  auto stmt = prepare("VACUUM INTO ?1");
  stmt.bind(1, temp.string());
  try {
    stmt.run();
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    fail("{}: cannot write backup {}: {}", path_.string(), target.string(), ec.message());
  }
}

void Database::fail_sqlite(std::string_view what, int rc) const {
  const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  fail("{}: {}: {} (code {})", path_.string(), what.substr(0, 120), message, rc);
}

// ---- Transaction ------------------------------------------------------------------------------------

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
  db_.exec(kind == Kind::Immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // A failed COMMIT/statement may already have ended the transaction; nothing more to undo.
  }
}

void Transaction::commit() {
  RW_CHECK(open_, "commit() on a finished transaction of {}", db_.path().string());
  db_.exec("COMMIT");
  open_ = false;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace rw::core
