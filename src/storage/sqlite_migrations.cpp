#include "storage/sqlite_migrations.hpp"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <string>

#include "cairn/error.hpp"
#include "core/clock.hpp"

namespace cairn {

namespace {

struct Migration {
  int version;
  const char* sql;
};

// Text columns are NOT NULL with '' for "none" so that the C++ records round-trip without
// optional fields; times are seconds since the Unix epoch (REAL), 0 for "not yet".
//
// Events reference their run by `runs.run_seq`, an integer, rather than by the 36-character run
// id: the reference is stored three times per event (the row and two indexes), and with the id
// inserts were about a third slower (190 000 against 290 000 events/s, raw SQLite, 10 000 per
// transaction, on the development VM). Every other table uses the run id, which is what people
// type and read.
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE schema_version (
  version INTEGER PRIMARY KEY,
  applied_at REAL NOT NULL
);
CREATE TABLE runs (
  run_seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL UNIQUE,
  job_name TEXT NOT NULL,
  selection TEXT NOT NULL,
  status TEXT NOT NULL,
  config_json TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  parent_run_id TEXT NOT NULL,
  root_run_id TEXT NOT NULL,
  step_keys_json TEXT NOT NULL,
  created_at REAL NOT NULL,
  started_at REAL NOT NULL,
  ended_at REAL NOT NULL,
  failure_reason TEXT NOT NULL,
  cancel_requested INTEGER NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL
);
CREATE INDEX runs_by_created_at ON runs(created_at);
CREATE INDEX runs_by_status ON runs(status, created_at);
CREATE INDEX runs_by_job_name ON runs(job_name, created_at);
CREATE TABLE run_tags (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX run_tags_by_key_value ON run_tags(key, value);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL REFERENCES runs(run_seq),
  timestamp REAL NOT NULL,
  event_type TEXT NOT NULL,
  step_key TEXT NOT NULL,
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX events_by_run ON events(run_seq, id);
CREATE INDEX events_by_run_step ON events(run_seq, step_key, id);
CREATE TABLE asset_index (
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  event_id INTEGER NOT NULL REFERENCES events(id),
  timestamp REAL NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (asset_key, partition_key)
);
)sql"},
    // Experiment tracking and the model registry (docs/tracking.md). Params, metrics, tags and
    // artifacts name their tracking run by `tracking_runs.seq` for the reason events use
    // `run_seq`: a training curve is thousands of metric rows. A metric value is NULL when it
    // was NaN (SQLite stores NaN as NULL). Versions and aliases name their model by
    // `registered_models.id`; a version's number is taken from `next_version`, so numbers are
    // never reused after a delete.
    Migration{2, R"sql(
CREATE TABLE experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at REAL NOT NULL
);
CREATE TABLE tracking_runs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  start_time REAL NOT NULL,
  end_time REAL NOT NULL,
  run_id TEXT NOT NULL,
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL
);
CREATE INDEX tracking_runs_by_experiment ON tracking_runs(experiment_id, start_time);
CREATE INDEX tracking_runs_by_run ON tracking_runs(run_id);
CREATE TABLE params (
  run_seq INTEGER NOT NULL REFERENCES tracking_runs(seq),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_seq, key)
);
CREATE TABLE metrics (
  id INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL REFERENCES tracking_runs(seq),
  key TEXT NOT NULL,
  value REAL,
  step INTEGER NOT NULL,
  timestamp REAL NOT NULL
);
CREATE INDEX metrics_by_run_key ON metrics(run_seq, key, step, timestamp);
CREATE TABLE tags (
  run_seq INTEGER NOT NULL REFERENCES tracking_runs(seq),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_seq, key)
);
CREATE TABLE artifacts (
  run_seq INTEGER NOT NULL REFERENCES tracking_runs(seq),
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  logged_at REAL NOT NULL,
  PRIMARY KEY (run_seq, path)
);
CREATE TABLE registered_models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  next_version INTEGER NOT NULL
);
CREATE TABLE model_versions (
  model_id INTEGER NOT NULL REFERENCES registered_models(id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  tracking_run_id TEXT NOT NULL,
  artifact_path TEXT NOT NULL,
  flavor TEXT NOT NULL,
  metrics_json TEXT NOT NULL,
  run_id TEXT NOT NULL,
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at REAL NOT NULL,
  PRIMARY KEY (model_id, version)
);
CREATE INDEX model_versions_by_tracking_run ON model_versions(tracking_run_id);
CREATE TABLE model_aliases (
  model_id INTEGER NOT NULL,
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at REAL NOT NULL,
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version)
);
CREATE TABLE model_alias_events (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES registered_models(id),
  alias TEXT NOT NULL,
  from_version INTEGER NOT NULL,
  to_version INTEGER NOT NULL,
  archived_version INTEGER NOT NULL,
  timestamp REAL NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX model_alias_events_by_model ON model_alias_events(model_id, alias, id);
)sql"},
    // Partitions, versions, checks and the daemon (docs/storage.md, "Automation tables").
    // The asset index gains the columns staleness reads, filled from the payload when the event
    // is appended; rows written before carry what their payload has (the code version).
    // Staleness loads every entry's versions at once: the inputs column is length-prefixed
    // text, not JSON, whose parsing took twice as long as the whole load; and the covering index
    // asset_index_versions lets that load read only the version columns, not the payloads
    // (100 000 entries: 115 -> 93 ms on a busy development VM). The two new indexes on events
    // are partial: they leave out LOG and most step events, the bulk of the log, which an asset's
    // history and the daemon do not read; full indexes made appending LOG and step events about
    // 1.7 times slower, these about 1.15 times. Their conditions are comparisons joined by
    // AND/OR, not `event_type IN (...)`: SQLite builds a temporary table for an IN list on every
    // insert, which made appending 3 times slower. Backfill partitions name
    // their backfill by `backfill_seq` for the reason events use `run_seq`: a backfill is
    // thousands of partitions. Run keys are claimed in their own table whose primary key makes a
    // second claim fail inside the claiming transaction.
    Migration{3, R"sql(
ALTER TABLE runs ADD COLUMN partition_keys_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN run_key TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN heartbeat_at REAL NOT NULL DEFAULT 0;
CREATE INDEX runs_by_queue_order ON runs(status, priority DESC, created_at, run_seq);
ALTER TABLE asset_index ADD COLUMN data_version TEXT NOT NULL DEFAULT '';
ALTER TABLE asset_index ADD COLUMN code_version TEXT NOT NULL DEFAULT '';
ALTER TABLE asset_index ADD COLUMN config_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE asset_index ADD COLUMN inputs TEXT NOT NULL DEFAULT '';
UPDATE asset_index SET
  data_version = coalesce(json_extract(payload, '$.data_version'), ''),
  code_version = coalesce(json_extract(payload, '$.code_version'), ''),
  config_hash = coalesce(json_extract(payload, '$.config_hash'), '')
WHERE json_valid(payload) AND json_type(payload) = 'object';
CREATE INDEX asset_index_by_event ON asset_index(event_id);
CREATE INDEX asset_index_versions ON asset_index(asset_key, partition_key, event_id, timestamp,
  data_version, code_version, config_hash, inputs);
CREATE INDEX events_by_asset ON events(asset_key, id)
  WHERE event_type = 'ASSET_MATERIALIZATION' OR event_type = 'ASSET_OBSERVATION'
    OR event_type = 'ASSET_CHECK_EVALUATION';
CREATE INDEX events_by_type ON events(event_type, id)
  WHERE event_type <> 'LOG' AND event_type <> 'STEP_START' AND event_type <> 'STEP_SUCCESS'
    AND event_type <> 'STEP_INPUT_LOADED';
CREATE TABLE asset_observations (
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  event_id INTEGER NOT NULL REFERENCES events(id),
  timestamp REAL NOT NULL,
  data_version TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (asset_key, partition_key)
);
CREATE TABLE asset_check_index (
  asset_key TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  check_name TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  event_id INTEGER NOT NULL REFERENCES events(id),
  timestamp REAL NOT NULL,
  passed INTEGER NOT NULL,
  severity TEXT NOT NULL,
  blocking INTEGER NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (asset_key, partition_key, check_name)
);
CREATE TABLE dynamic_partitions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  added_at REAL NOT NULL,
  UNIQUE (name, partition_key)
);
CREATE INDEX dynamic_partitions_by_name ON dynamic_partitions(name, id);
CREATE TABLE instigator_state (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  running INTEGER NOT NULL,
  cursor TEXT NOT NULL,
  updated_at REAL NOT NULL
);
CREATE TABLE ticks (
  id INTEGER PRIMARY KEY,
  instigator TEXT NOT NULL,
  kind TEXT NOT NULL,
  tick_time REAL NOT NULL,
  started_at REAL NOT NULL,
  ended_at REAL NOT NULL,
  status TEXT NOT NULL,
  run_ids_json TEXT NOT NULL,
  run_keys_json TEXT NOT NULL,
  skip_reason TEXT NOT NULL,
  error TEXT NOT NULL,
  cursor TEXT NOT NULL,
  log TEXT NOT NULL,
  detail_json TEXT NOT NULL
);
CREATE INDEX ticks_by_instigator ON ticks(instigator, tick_time, id);
CREATE INDEX ticks_by_status ON ticks(status, id);
CREATE TABLE run_keys (
  run_key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(run_id)
);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at REAL NOT NULL
);
CREATE TABLE backfills (
  backfill_seq INTEGER PRIMARY KEY,
  backfill_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  selection TEXT NOT NULL,
  job_name TEXT NOT NULL,
  config_json TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  single_run INTEGER NOT NULL,
  max_partitions_per_run INTEGER NOT NULL,
  created_at REAL NOT NULL,
  ended_at REAL NOT NULL,
  partition_count INTEGER NOT NULL
);
CREATE INDEX backfills_by_created_at ON backfills(created_at);
CREATE TABLE backfill_partitions (
  backfill_seq INTEGER NOT NULL REFERENCES backfills(backfill_seq),
  position INTEGER NOT NULL,
  partition_key TEXT NOT NULL,
  status TEXT NOT NULL,
  run_id TEXT NOT NULL,
  PRIMARY KEY (backfill_seq, position),
  UNIQUE (backfill_seq, partition_key)
);
CREATE INDEX backfill_partitions_by_run ON backfill_partitions(run_id, partition_key);
CREATE TABLE pool_slots (
  pool TEXT NOT NULL,
  run_id TEXT NOT NULL,
  step_key TEXT NOT NULL,
  PRIMARY KEY (pool, run_id, step_key)
);
CREATE INDEX pool_slots_by_run ON pool_slots(run_id);
)sql"},
};
static_assert(kMigrations.back().version == kCurrentSchemaVersion,
              "the last migration must bring the schema to kCurrentSchemaVersion");

std::string corrupt_message(const std::filesystem::path& path, std::string_view detail) {
  return "the instance database " + path.string() + " is corrupt or not a cairn database (" +
         std::string(detail) + "); move it away or point CAIRN_HOME at another instance directory";
}

/// A prepared statement finalized on scope exit; migrations run once per open, so they are not
/// cached like SqliteStorage's statements.
class OneShot {
 public:
  OneShot(sqlite3* db, const std::filesystem::path& path, const char* sql, std::string_view doing)
      : db_(db), path_(path), doing_(doing) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
  ~OneShot() { sqlite3_finalize(stmt_); }
  OneShot(const OneShot&) = delete;
  OneShot& operator=(const OneShot&) = delete;

  sqlite3_stmt* get() { return stmt_; }
  /// True while there is a row.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail();
    return false;
  }

 private:
  [[noreturn]] void fail() {
    int code = sqlite3_errcode(db_) & 0xff;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      throw StorageError(corrupt_message(path_, sqlite3_errmsg(db_)));
    }
    throw_sqlite_error(db_, path_, doing_);
  }

  sqlite3* db_;
  const std::filesystem::path& path_;
  std::string_view doing_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

void exec_sql(sqlite3* db, const std::filesystem::path& path, const char* sql,
              std::string_view doing) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw_sqlite_error(db, path, doing);
  }
}

std::string corrupt_row(const std::filesystem::path& path, std::string_view what) {
  return "the instance database " + path.string() + " is corrupt: " + std::string(what) +
         "; restore it from a backup or point CAIRN_HOME at another instance directory";
}

void check_database_file(const std::filesystem::path& path) {
  // Every SQLite 3 database starts with these 16 bytes (https://sqlite.org/fileformat.html).
  static constexpr char kHeader[] = "SQLite format 3";  // with its terminating NUL: 16 bytes
  std::ifstream file(path, std::ios::binary);
  if (!file) return;  // missing: SQLite creates it (or reports why it cannot)
  char header[sizeof kHeader] = {};
  file.read(header, sizeof header);
  if (file.gcount() == 0) return;  // empty: SQLite treats it as a new database
  if (file.gcount() != sizeof header || std::memcmp(header, kHeader, sizeof header) != 0) {
    throw StorageError(corrupt_message(path, "it does not start with the SQLite file header"));
  }
}

void throw_sqlite_error(sqlite3* db, const std::filesystem::path& path, std::string_view doing) {
  std::string message = "the instance database " + path.string() + ": " + std::string(doing) +
                        " failed: " + sqlite3_errmsg(db);
  switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      message += "; another process held the database lock for too long, retry";
      break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      message +=
          "; check the permissions of the file and its directory, or set CAIRN_HOME to a "
          "writable directory";
      break;
    case SQLITE_FULL:
      message += "; the disk is full";
      break;
    default:
      break;
  }
  throw StorageError(message);
}

int read_schema_version(sqlite3* db, const std::filesystem::path& path) {
  OneShot tables(db, path,
                 "SELECT count(*), count(CASE WHEN name = 'schema_version' THEN 1 END) "
                 "FROM sqlite_master WHERE type = 'table'",
                 "reading the schema");
  tables.step();
  const auto table_count = sqlite3_column_int64(tables.get(), 0);
  const bool has_version_table = sqlite3_column_int64(tables.get(), 1) > 0;
  if (!has_version_table) {
    if (table_count == 0) return 0;
    throw StorageError(corrupt_message(path, "it has tables but no schema_version table"));
  }
  OneShot version(db, path, "SELECT max(version) FROM schema_version",
                  "reading the schema version");
  version.step();
  if (sqlite3_column_type(version.get(), 0) == SQLITE_NULL) {
    throw StorageError(corrupt_message(path, "its schema_version table is empty"));
  }
  const int found = sqlite3_column_int(version.get(), 0);
  if (found > kCurrentSchemaVersion) {
    throw StorageError("the instance database " + path.string() + " has schema version " +
                       std::to_string(found) + ", newer than this cairn build supports (" +
                       std::to_string(kCurrentSchemaVersion) +
                       "); upgrade cairn or point CAIRN_HOME at another instance");
  }
  return found;
}

void run_migrations(sqlite3* db, const std::filesystem::path& path, int target) {
  exec_sql(db, path, "BEGIN IMMEDIATE", "starting the schema migration");
  try {
    // Read again under the write lock: another process may have migrated since we looked.
    const int from = read_schema_version(db, path);
    for (const Migration& migration : kMigrations) {
      if (migration.version <= from || migration.version > target) continue;
      exec_sql(db, path, migration.sql,
               "migrating the schema to version " + std::to_string(migration.version));
      OneShot record(db, path, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                     "recording the schema version");
      sqlite3_bind_int(record.get(), 1, migration.version);
      sqlite3_bind_double(record.get(), 2, to_epoch_seconds(std::chrono::system_clock::now()));
      record.step();
    }
    exec_sql(db, path, "COMMIT", "committing the schema migration");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace cairn
