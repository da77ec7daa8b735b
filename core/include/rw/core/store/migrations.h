// The run store's schema history: a linear list of numbered migrations and the function that brings a
// database to the newest one. The schema version lives in PRAGMA user_version (0 = empty/new file).
// Not the connection setup (database.h) and not the queries (run_store.h).
#pragma once
#include <span>
#include <string_view>

#include "rw/core/store/database.h"

namespace rw::core {

/// Step from version `version - 1` to `version`. `sql` runs inside the upgrade transaction.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// Every migration this build knows, in order: migrations()[i].version == i + 1.
std::span<const Migration> store_migrations();

/// Version of the newest migration (the schema this build writes).
int latest_schema_version(std::span<const Migration> migrations = store_migrations());

/// Refuses a file this build cannot use, without changing it: Error when its version is newer than
/// `migrations` knows ("... was written by a newer Ropewalk (schema N, this build knows up to M)"), or when
/// it holds tables but version 0 (some other application's database). Read-only connections also
/// refuse files older than the newest version (they cannot upgrade).
void check_schema_version(Database& db, std::span<const Migration> migrations = store_migrations());

/// Upgrades a read-write database to the newest version. A file with data at an older version is first
/// copied beside itself as `<file>.bak-v<N>`; then all pending steps run in one transaction (all or
/// nothing). A fresh file gets the whole schema without a backup. Safe when two processes race.
void migrate(Database& db, std::span<const Migration> migrations = store_migrations());

/// Opens a run store: Database::open with the version check before anything is written, then migrate()
/// for ReadWrite. The usual way in.
Database open_store(const std::filesystem::path& path, OpenMode mode,
                    std::span<const Migration> migrations = store_migrations());

}  // namespace rw::core
