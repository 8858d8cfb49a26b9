#include "storage/sqlite_storage.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cairn/error.hpp"
#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_query.hpp"
#include "storage/sqlite_tracking_store.hpp"

namespace cairn {

namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr std::string_view kRunColumns =
    "run_id, job_name, selection, status, config_json, tags_json, parent_run_id, root_run_id, "
    "step_keys_json, created_at, started_at, ended_at, failure_reason, cancel_requested, host, "
    "pid";
// Without the run: events store its run_seq, and every query of events is for one known run.
constexpr std::string_view kEventColumns =
    "id, timestamp, event_type, step_key, asset_key, partition_key, level, message, payload";
constexpr std::string_view kMaterializationColumns =
    "asset_key, partition_key, run_id, event_id, timestamp, payload";

std::string corrupt_row(const std::filesystem::path& path, std::string_view what) {
  return "the instance database " + path.string() + " is corrupt: " + std::string(what) +
         "; restore it from a backup or point CAIRN_HOME at another instance directory";
}

/// fsyncs `path` if it exists (a directory or a file). Throws StorageError on an I/O error.
void fsync_path(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;
    throw StorageError("cannot open " + path.string() + " to sync it: " + std::strerror(errno));
  }
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) {
    throw StorageError("cannot sync " + path.string() + " to disk: " + std::strerror(error));
  }
}

}  // namespace

namespace {

RunRecord read_run(const SqliteStorage& storage, const auto& q) {
  RunRecord run;
  run.run_id = q.text(0);
  run.job_name = q.text(1);
  run.selection = q.text(2);
  const std::string status = q.text(3);
  const auto parsed_status = run_status_from_string(status);
  if (!parsed_status) {
    throw StorageError(corrupt_row(storage.path(),
                                   "run '" + run.run_id + "' has unknown status '" + status + "'"));
  }
  run.status = *parsed_status;
  run.config_json = q.text(4);
  const std::string tags = q.text(5);
  const std::string step_keys = q.text(8);
  try {
    run.tags = nlohmann::json::parse(tags).get<std::map<std::string, std::string>>();
    run.step_keys = nlohmann::json::parse(step_keys).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw StorageError(
        corrupt_row(storage.path(),
                    "run '" + run.run_id + "' has malformed tags or step keys (" + e.what() + ")"));
  }
  run.parent_run_id = q.text(6);
  run.root_run_id = q.text(7);
  run.created_at = q.real(9);
  run.started_at = q.real(10);
  run.ended_at = q.real(11);
  run.failure_reason = q.text(12);
  run.cancel_requested = q.integer(13) != 0;
  run.host = q.text(14);
  run.pid = q.integer(15);
  return run;
}

Event read_event(const SqliteStorage& storage, const auto& q, std::string_view run_id) {
  Event event;
  event.id = q.integer(0);
  event.run_id = run_id;
  event.timestamp = q.real(1);
  const std::string type = q.text(2);
  const std::string level = q.text(6);
  const auto parsed_type = event_type_from_string(type);
  const auto parsed_level = log_level_from_string(level);
  if (!parsed_type || !parsed_level) {
    throw StorageError(corrupt_row(storage.path(), "event " + std::to_string(event.id) +
                                                       " has unknown type '" + type +
                                                       "' or level '" + level + "'"));
  }
  event.type = *parsed_type;
  event.level = *parsed_level;
  event.step_key = q.text(3);
  event.asset_key = q.text(4);
  event.partition_key = q.text(5);
  event.message = q.text(7);
  event.payload_json = q.text(8);
  return event;
}

MaterializationRecord read_materialization(const auto& q) {
  MaterializationRecord record;
  record.asset_key = q.text(0);
  record.partition_key = q.text(1);
  record.run_id = q.text(2);
  record.event_id = q.integer(3);
  record.timestamp = q.real(4);
  record.payload_json = q.text(5);
  return record;
}

/// The status a run event moves its run to; nullopt for other events and RUN_CANCELING.
std::optional<RunStatus> status_set_by(EventType type) {
  switch (type) {
    case EventType::kRunStarting:
      return RunStatus::kStarting;
    case EventType::kRunStart:
      return RunStatus::kStarted;
    case EventType::kRunSuccess:
      return RunStatus::kSuccess;
    case EventType::kRunFailure:
      return RunStatus::kFailure;
    case EventType::kRunCanceled:
      return RunStatus::kCanceled;
    default:
      return std::nullopt;
  }
}

std::string select_runs(std::string_view where_and_order) {
  return "SELECT " + std::string(kRunColumns) + " FROM runs " + std::string(where_and_order);
}

}  // namespace

std::unique_ptr<SqliteStorage> SqliteStorage::open(const std::filesystem::path& db_file) {
  check_database_file(db_file);
  sqlite3* db = nullptr;
  // NOMUTEX: SqliteStorage serializes every use of the connection with its own mutex.
  const int rc =
      sqlite3_open_v2(db_file.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // The storage owns the handle from here on, so that every failure below closes it.
  std::unique_ptr<SqliteStorage> storage(new SqliteStorage(db_file, db));
  if (rc != SQLITE_OK) throw_sqlite_error(db, db_file, "opening");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);

  // Refuse a foreign or newer database before anything below writes to the file.
  read_schema_version(db, db_file);

  {
    std::lock_guard lock(storage->mutex_);
    Query mode(*storage, "PRAGMA journal_mode = WAL", "switching to WAL mode");
    if (!mode.step() || mode.text(0) != "wal") {
      throw StorageError("the instance database " + db_file.string() +
                         " cannot use WAL mode (is it on a network filesystem?); set CAIRN_HOME "
                         "to a directory on a local disk");
    }
  }
  // cache_size (KiB when negative): the default 2 MiB evicts the event indexes' pages while a
  // batch is inserted; wal_autocheckpoint (pages): checkpoints every 16 MiB rather than 4 MiB
  // copy the pages that every batch rewrites (index edges) fewer times and fsync less often.
  // Together they took appends from about 200 000 to about 280 000 events/s.
  exec_sql(db, db_file,
           "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768; "
           "PRAGMA wal_autocheckpoint = 4000",
           "configuring the connection");
  run_migrations(db, db_file);
  return storage;
}

SqliteStorage::SqliteStorage(std::filesystem::path path, sqlite3* db)
    : path_(std::move(path)), db_(db), tracking_(std::make_unique<SqliteTrackingStore>(*this)) {}

SqliteStorage::~SqliteStorage() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

sqlite3_stmt* SqliteStorage::statement(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    throw_sqlite_error(db_, path_, "preparing '" + std::string(sql) + "'");
  }
  statements_.emplace(std::string(sql), stmt);
  return stmt;
}

void SqliteStorage::add_run(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  constexpr std::string_view kDoing = "adding a run";
  Transaction transaction(*this, kDoing);
  {
    Query existing(*this, "SELECT 1 FROM runs WHERE run_id = ?", kDoing);
    if (existing.text(1, run.run_id).step()) {
      throw StorageError("a run with id '" + run.run_id + "' already exists in " + path_.string());
    }
  }
  Query insert(*this,
               "INSERT INTO runs (run_id, job_name, selection, status, config_json, tags_json, "
               "parent_run_id, root_run_id, step_keys_json, created_at, started_at, ended_at, "
               "failure_reason, cancel_requested, host, pid) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               kDoing);
  insert.text(1, run.run_id)
      .text(2, run.job_name)
      .text(3, run.selection)
      .text(4, to_string(run.status))
      .text(5, run.config_json)
      .text(6, nlohmann::json(run.tags).dump())
      .text(7, run.parent_run_id)
      .text(8, run.root_run_id)
      .text(9, nlohmann::json(run.step_keys).dump())
      .real(10, run.created_at)
      .real(11, run.started_at)
      .real(12, run.ended_at)
      .text(13, run.failure_reason)
      .integer(14, run.cancel_requested ? 1 : 0)
      .text(15, run.host)
      .integer(16, run.pid)
      .step();
  Query tag(*this, "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)", kDoing);
  for (const auto& [key, value] : run.tags) {
    tag.text(1, run.run_id).text(2, key).text(3, value).step();
    tag.reset();
  }
  transaction.commit();
}

void SqliteStorage::append_events(std::vector<Event>& events) {
  if (events.empty()) return;
  std::lock_guard lock(mutex_);
  constexpr std::string_view kDoing = "appending events";
  Transaction transaction(*this, kDoing);
  Query find_run(*this, "SELECT run_seq FROM runs WHERE run_id = ?", kDoing);
  Query insert(*this,
               "INSERT INTO events (run_seq, timestamp, event_type, step_key, asset_key, "
               "partition_key, level, message, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               kDoing);
  // NULL keeps a column as it is; run events set only the columns they are about.
  Query update_run(*this,
                   "UPDATE runs SET status = ?2, started_at = coalesce(?3, started_at), "
                   "ended_at = coalesce(?4, ended_at), failure_reason = coalesce(?5, "
                   "failure_reason) WHERE run_seq = ?1",
                   kDoing);
  Query index_asset(
      *this,
      "INSERT INTO asset_index (asset_key, partition_key, run_id, event_id, "
      "timestamp, payload) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (asset_key, partition_key) DO UPDATE SET run_id = excluded.run_id, "
      "event_id = excluded.event_id, timestamp = excluded.timestamp, "
      "payload = excluded.payload",
      kDoing);
  std::vector<std::int64_t> ids;
  ids.reserve(events.size());
  // A batch almost always holds the events of one run: look its run_seq up once.
  std::string_view run_id;
  std::int64_t run_seq = 0;  // run_seq values start at 1
  for (const Event& event : events) {
    if (run_seq == 0 || event.run_id != run_id) {
      if (!find_run.text_ref(1, event.run_id).step()) {
        throw StorageError("the instance database " + path_.string() +
                           ": cannot append events of run '" + event.run_id +
                           "', which does not exist; add_run must come before the run's events");
      }
      run_seq = find_run.integer(0);
      find_run.reset();
      run_id = event.run_id;
    }
    try {
      // `events` and the type and level names outlive the step.
      insert.integer(1, run_seq)
          .real(2, event.timestamp)
          .text_ref(3, to_string(event.type))
          .text_ref(4, event.step_key)
          .text_ref(5, event.asset_key)
          .text_ref(6, event.partition_key)
          .text_ref(7, to_string(event.level))
          .text_ref(8, event.message)
          .text_ref(9, event.payload_json)
          .step();
      insert.reset();
      const std::int64_t id = sqlite3_last_insert_rowid(db_);
      ids.push_back(id);

      if (event.type == EventType::kAssetMaterialization) {
        index_asset.text(1, event.asset_key)
            .text(2, event.partition_key)
            .text(3, event.run_id)
            .integer(4, id)
            .real(5, event.timestamp)
            .text(6, event.payload_json)
            .step();
        index_asset.reset();
      } else if (const std::optional<RunStatus> status = status_set_by(event.type)) {
        const auto if_true = [](bool condition, auto value) {
          return condition ? std::optional(value) : std::nullopt;
        };
        update_run.integer(1, run_seq)
            .text(2, to_string(*status))
            .real_or_null(3, if_true(*status == RunStatus::kStarted, event.timestamp))
            .real_or_null(4, if_true(is_finished(*status), event.timestamp))
            .text_or_null(5,
                          if_true(*status == RunStatus::kFailure, std::string_view(event.message)))
            .step();
        update_run.reset();
      }
    } catch (const StorageError& e) {
      throw StorageError(std::string(e.what()) + " (at the " + std::string(to_string(event.type)) +
                         " event of run '" + event.run_id + "')");
    }
  }
  transaction.commit();
  for (std::size_t i = 0; i < events.size(); ++i) events[i].id = ids[i];
}

std::optional<RunRecord> SqliteStorage::get_run(std::string_view run_id) {
  std::lock_guard lock(mutex_);
  Query q(*this, select_runs("WHERE run_id = ?"), "reading a run");
  if (!q.text(1, run_id).step()) return std::nullopt;
  return read_run(*this, q);
}

std::vector<RunRecord> SqliteStorage::list_runs(const RunFilter& filter) {
  // The SQL text depends only on the number of tags, so the statement cache stays small.
  std::string sql = select_runs("WHERE (?1 IS NULL OR status = ?1) AND (?2 = '' OR job_name = ?2)");
  int parameter = 5;
  for (std::size_t i = 0; i < filter.tags.size(); ++i) {
    sql += " AND EXISTS (SELECT 1 FROM run_tags WHERE run_tags.run_id = runs.run_id AND key = ?" +
           std::to_string(parameter) + " AND value = ?" + std::to_string(parameter + 1) + ")";
    parameter += 2;
  }
  sql += " ORDER BY created_at DESC, run_seq DESC LIMIT ?3 OFFSET ?4";

  std::lock_guard lock(mutex_);
  Query q(*this, sql, "listing runs");
  q.text_or_null(1, filter.status ? std::optional(to_string(*filter.status)) : std::nullopt)
      .text(2, filter.job_name)
      .integer(3, filter.limit > 0 ? filter.limit : -1)
      .integer(4, filter.offset);
  parameter = 5;
  for (const auto& [key, value] : filter.tags) {
    q.text(parameter, key).text(parameter + 1, value);
    parameter += 2;
  }
  std::vector<RunRecord> runs;
  while (q.step()) runs.push_back(read_run(*this, q));
  return runs;
}

std::vector<std::string> SqliteStorage::find_run_ids(std::string_view prefix, int limit) {
  std::lock_guard lock(mutex_);
  // The ids with this prefix are the first ones at or after it in byte order (the primary key's
  // BINARY collation), so the index answers without a scan.
  Query q(*this, "SELECT run_id FROM runs WHERE run_id >= ? ORDER BY run_id LIMIT ?",
          "finding run ids");
  q.text(1, prefix).integer(2, limit);
  std::vector<std::string> ids;
  while (q.step()) {
    std::string id = q.text(0);
    if (!id.starts_with(prefix)) break;
    ids.push_back(std::move(id));
  }
  return ids;
}

std::vector<RunRecord> SqliteStorage::unfinished_runs() {
  std::lock_guard lock(mutex_);
  Query q(*this, select_runs("WHERE status IN ('STARTING', 'STARTED') ORDER BY created_at"),
          "listing unfinished runs");
  std::vector<RunRecord> runs;
  while (q.step()) runs.push_back(read_run(*this, q));
  return runs;
}

std::vector<Event> SqliteStorage::run_events(std::string_view run_id, const EventFilter& filter) {
  std::lock_guard lock(mutex_);
  const std::string select = "SELECT " + std::string(kEventColumns) + " FROM events ";
  const std::string run = "run_seq = (SELECT run_seq FROM runs WHERE run_id = ?1)";
  Query q(*this,
          filter.step_key.empty()
              ? select + "WHERE " + run + " AND id > ?2 ORDER BY id LIMIT ?3"
              : select + "WHERE " + run + " AND step_key = ?4 AND id > ?2 ORDER BY id LIMIT ?3",
          "reading events");
  q.text(1, run_id).integer(2, filter.after_id).integer(3, filter.limit > 0 ? filter.limit : -1);
  if (!filter.step_key.empty()) q.text(4, filter.step_key);
  std::vector<Event> events;
  while (q.step()) events.push_back(read_event(*this, q, run_id));
  return events;
}

std::optional<MaterializationRecord> SqliteStorage::latest_materialization(
    std::string_view asset_key, std::string_view partition_key) {
  std::lock_guard lock(mutex_);
  Query q(*this,
          "SELECT " + std::string(kMaterializationColumns) +
              " FROM asset_index WHERE asset_key = ? AND partition_key = ?",
          "reading the asset index");
  if (!q.text(1, asset_key).text(2, partition_key).step()) return std::nullopt;
  return read_materialization(q);
}

std::vector<MaterializationRecord> SqliteStorage::latest_materializations() {
  std::lock_guard lock(mutex_);
  Query q(*this,
          "SELECT " + std::string(kMaterializationColumns) +
              " FROM asset_index ORDER BY asset_key, partition_key",
          "reading the asset index");
  std::vector<MaterializationRecord> records;
  while (q.step()) records.push_back(read_materialization(q));
  return records;
}

void SqliteStorage::request_cancel(std::string_view run_id) {
  std::lock_guard lock(mutex_);
  Query q(*this, "UPDATE runs SET cancel_requested = 1 WHERE run_id = ?",
          "requesting cancellation");
  q.text(1, run_id).step();
  if (sqlite3_changes(db_) == 0) {
    throw NotFoundError("no run with id '" + std::string(run_id) + "' to cancel");
  }
}

bool SqliteStorage::is_cancel_requested(std::string_view run_id) {
  std::lock_guard lock(mutex_);
  Query q(*this, "SELECT cancel_requested FROM runs WHERE run_id = ?",
          "reading a cancellation request");
  if (!q.text(1, run_id).step()) {
    throw NotFoundError("no run with id '" + std::string(run_id) + "'");
  }
  return q.integer(0) != 0;
}

TrackingStore& SqliteStorage::tracking() {
  return *tracking_;
}

void SqliteStorage::sync() {
  std::lock_guard lock(mutex_);
  // PASSIVE does not wait for readers; a complete checkpoint has synced the WAL and then the
  // database file (synchronous=NORMAL). Frames a reader kept from being copied are still only
  // in the WAL, which is then synced directly: its committed frames are replayed on open.
  int wal_frames = 0;
  int checkpointed_frames = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                           &checkpointed_frames);
  // SQLITE_BUSY: another connection is checkpointing right now; ours did nothing.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    throw_sqlite_error(db_, path_, "checkpointing the WAL");
  }
  if (rc == SQLITE_BUSY || checkpointed_frames < wal_frames) fsync_path(path_.string() + "-wal");
  // The directory entries of the database and WAL files, which SQLite does not sync itself.
  fsync_path(path_.parent_path().empty() ? "." : path_.parent_path());
}

}  // namespace cairn
