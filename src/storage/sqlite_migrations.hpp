#pragma once
// Versioned schema of the SQLite instance database (docs/storage.md, "Schema" and "Migrations").
//
// The version lives in a `schema_version` table with one row per applied migration, as ninja
// keeps `kCurrentVersion` in its log header. Migrations are numbered, append-only SQL scripts:
// a released migration is never edited, a schema change is a new migration. Rejected: SQLite's
// `PRAGMA user_version` — a table also records when each step was applied and is readable by
// any SQL client without knowing the pragma.

#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;

namespace cairn {

/// The schema version this build writes. A database with a newer version is refused.
inline constexpr int kCurrentSchemaVersion = 3;

/// Throws StorageError if `path` exists, is not empty and does not start with the SQLite file
/// header. Run before SQLite opens the file, so that a file that is not a database is never
/// touched.
void check_database_file(const std::filesystem::path& path);

/// The schema version of the database open on `db` (file `path`, used in messages): 0 for a new,
/// empty database. Only reads. Throws StorageError if the file is not a SQLite database, is a
/// SQLite database that cairn did not create, or has a version newer than kCurrentSchemaVersion.
int read_schema_version(sqlite3* db, const std::filesystem::path& path);

/// Applies every migration above the database's version up to `target`, in order, in one
/// IMMEDIATE transaction (so two processes opening the same new instance do not both migrate
/// it). Throws StorageError like read_schema_version(), or if a migration fails; a failed
/// migration changes nothing. Tests pass an older `target` to build a database as an older cairn
/// wrote it.
void run_migrations(sqlite3* db, const std::filesystem::path& path,
                    int target = kCurrentSchemaVersion);

// Shared by the SQLite backend's files.

/// Runs `sql` (one or more statements without parameters). Throws like throw_sqlite_error().
void exec_sql(sqlite3* db, const std::filesystem::path& path, const char* sql,
              std::string_view doing);

/// "the instance database <path> is corrupt: <what>; <the fix>", for a row that cannot be read.
std::string corrupt_row(const std::filesystem::path& path, std::string_view what);

/// Throws StorageError "the instance database <path>: <doing> failed: <SQLite's message>", with
/// the fix when SQLite's error code has an obvious one.
[[noreturn]] void throw_sqlite_error(sqlite3* db, const std::filesystem::path& path,
                                     std::string_view doing);

}  // namespace cairn
