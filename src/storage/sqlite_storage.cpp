#include "storage/sqlite_storage.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "cairn/error.hpp"
#include "core/clock.hpp"
#include "storage/sqlite_automation_store.hpp"
#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_query.hpp"
#include "storage/sqlite_tracking_store.hpp"

namespace cairn {

namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr std::string_view kRunColumns =
    "run_id, job_name, selection, status, config_json, tags_json, parent_run_id, root_run_id, "
    "step_keys_json, created_at, started_at, ended_at, failure_reason, cancel_requested, host, "
    "pid, partition_keys_json, priority, run_key, heartbeat_at";
// Without the run: events store its run_seq, and run_events() is for one known run. Queries
// across runs add the run id as a tenth column (kEventColumnsWithRun).
constexpr std::string_view kEventColumns =
    "id, timestamp, event_type, step_key, asset_key, partition_key, level, message, payload";
constexpr std::string_view kEventColumnsWithRun =
    "e.id, e.timestamp, e.event_type, e.step_key, e.asset_key, e.partition_key, e.level, "
    "e.message, e.payload, r.run_id";
constexpr std::string_view kMaterializationColumns =
    "asset_key, partition_key, run_id, event_id, timestamp, payload";
// The partial indexes events_by_asset and events_by_type of migration 3 hold the events of
// these types, and of all types but these. A query uses a partial index only if its WHERE
// clause repeats the index's condition, so queries that may use one add it (same terms, same
// order: SQLite compares the expressions).
constexpr std::array kAssetEventTypes = {EventType::kAssetMaterialization,
                                         EventType::kAssetObservation,
                                         EventType::kAssetCheckEvaluation};
constexpr std::array kUnfollowedEventTypes = {EventType::kLog, EventType::kStepStart,
                                              EventType::kStepSuccess, EventType::kStepInputLoaded};
constexpr std::string_view kVersionColumns =
    "asset_key, partition_key, event_id, timestamp, data_version, code_version, config_hash, "
    "inputs";

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

// The inputs column of asset_index: for each input its asset key, partition key and data
// version, each written as "<byte length>:<bytes>" (so any byte may appear in a key), one input
// after the other; "" for none. Read for every index entry at once by staleness, so it is
// decoded without a JSON parser.
void encode_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

std::string encode_inputs(const std::vector<InputVersion>& inputs) {
  std::string out;
  for (const InputVersion& input : inputs) {
    encode_field(out, input.asset_key);
    encode_field(out, input.partition_key);
    encode_field(out, input.data_version);
  }
  return out;
}

/// The field at `pos`, moving past it; nullopt if the text is malformed there.
std::optional<std::string_view> next_field(std::string_view text, std::size_t& pos) {
  std::size_t length = 0;
  const std::size_t start = pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    length = length * 10 + static_cast<std::size_t>(text[pos] - '0');
    ++pos;
  }
  if (pos == start || pos >= text.size() || text[pos] != ':' || text.size() - pos - 1 < length) {
    return std::nullopt;
  }
  const std::string_view field = text.substr(pos + 1, length);
  pos += 1 + length;
  return field;
}

/// False if `text` is malformed.
bool decode_inputs(std::string_view text, std::vector<InputVersion>& inputs) {
  // Checking and counting first sizes the vector once: staleness decodes every entry.
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size(); ++count) {
    if (!next_field(text, pos) || !next_field(text, pos) || !next_field(text, pos)) return false;
  }
  inputs.resize(count);
  std::size_t pos = 0;
  for (InputVersion& input : inputs) {
    input.asset_key = *next_field(text, pos);
    input.partition_key = *next_field(text, pos);
    input.data_version = *next_field(text, pos);
  }
  return true;
}

// Reading the payloads of the events that update derived state. A payload that does not have
// the format event.hpp gives fails the append: an index entry that silently lacked its data
// version or check name would make staleness and blocking checks wrong much later.

[[noreturn]] void malformed_payload(const Event& event, std::string_view problem) {
  std::string subject = "the payload";
  if (!event.asset_key.empty()) subject += " of asset '" + event.asset_key + "'";
  throw StorageError("cannot append events: " + subject + " " + std::string(problem) +
                     "; src/core/event.hpp gives the format of each event type's payload");
}

/// The payload as a JSON object; an empty payload is an empty object.
nlohmann::json payload_object(const Event& event) {
  if (event.payload_json.empty()) return nlohmann::json::object();
  nlohmann::json json = nlohmann::json::parse(event.payload_json, nullptr, false);
  if (!json.is_object()) malformed_payload(event, "is not a JSON object");
  return json;
}

/// Field `name` of `payload` as a string; "" when it is absent or null.
std::string string_field(const Event& event, const nlohmann::json& payload, std::string_view name) {
  const auto it = payload.find(name);
  if (it == payload.end() || it->is_null()) return "";
  if (!it->is_string())
    malformed_payload(event, "has a \"" + std::string(name) + "\" that is not a string");
  return it->get<std::string>();
}

bool bool_field(const Event& event, const nlohmann::json& payload, std::string_view name,
                bool absent) {
  const auto it = payload.find(name);
  if (it == payload.end() || it->is_null()) return absent;
  if (!it->is_boolean())
    malformed_payload(event, "has a \"" + std::string(name) + "\" that is not true or false");
  return it->get<bool>();
}

/// Field `name` as an array of strings; empty when absent.
std::vector<std::string> strings_field(const Event& event, const nlohmann::json& payload,
                                       std::string_view name) {
  std::vector<std::string> strings;
  const auto it = payload.find(name);
  if (it == payload.end() || it->is_null()) return strings;
  const std::string problem = "has a \"" + std::string(name) + "\" that is not an array of strings";
  if (!it->is_array()) malformed_payload(event, problem);
  for (const auto& item : *it) {
    if (!item.is_string()) malformed_payload(event, problem);
    strings.push_back(item.get<std::string>());
  }
  return strings;
}

/// The asset index's version columns from a materialization's payload.
struct VersionColumns {
  std::string data_version;
  std::string code_version;
  std::string config_hash;
  std::string inputs;  // encoded by encode_inputs
};

VersionColumns version_columns(const Event& event) {
  const nlohmann::json payload = payload_object(event);
  VersionColumns columns;
  columns.data_version = string_field(event, payload, "data_version");
  columns.code_version = string_field(event, payload, "code_version");
  columns.config_hash = string_field(event, payload, "config_hash");
  const auto inputs = payload.find("inputs");
  if (inputs != payload.end() && !inputs->is_null()) {
    constexpr std::string_view kProblem =
        "has \"inputs\" that are not an array of [asset key, partition key, data version] "
        "string triples";
    if (!inputs->is_array()) malformed_payload(event, kProblem);
    std::vector<InputVersion> parsed;
    parsed.reserve(inputs->size());
    for (const auto& input : *inputs) {
      if (!input.is_array() || input.size() != 3 || !input[0].is_string() ||
          !input[1].is_string() || !input[2].is_string()) {
        malformed_payload(event, kProblem);
      }
      parsed.push_back(
          {input[0].get<std::string>(), input[1].get<std::string>(), input[2].get<std::string>()});
    }
    columns.inputs = encode_inputs(parsed);
  }
  return columns;
}

}  // namespace

namespace {

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

AssetVersionRecord read_version(const SqliteStorage& storage, const auto& q) {
  AssetVersionRecord record;
  record.asset_key = q.text(0);
  record.partition_key = q.text(1);
  record.event_id = q.integer(2);
  record.timestamp = q.real(3);
  record.data_version = q.text(4);
  record.code_version = q.text(5);
  record.config_hash = q.text(6);
  if (!decode_inputs(q.text_view(7), record.inputs)) {
    throw StorageError(corrupt_row(storage.path(), "the inputs of asset index entry '" +
                                                       record.asset_key + "' are malformed"));
  }
  return record;
}

ObservationRecord read_observation(const auto& q) {
  ObservationRecord record;
  record.asset_key = q.text(0);
  record.partition_key = q.text(1);
  record.run_id = q.text(2);
  record.event_id = q.integer(3);
  record.timestamp = q.real(4);
  record.data_version = q.text(5);
  record.payload_json = q.text(6);
  return record;
}

CheckRecord read_check(const auto& q) {
  CheckRecord record;
  record.asset_key = q.text(0);
  record.partition_key = q.text(1);
  record.check_name = q.text(2);
  record.run_id = q.text(3);
  record.event_id = q.integer(4);
  record.timestamp = q.real(5);
  record.passed = q.integer(6) != 0;
  record.severity = q.text(7);
  record.blocking = q.integer(8) != 0;
  record.payload_json = q.text(9);
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

/// "?1, ?2, ..., ?n" from `first`, for an IN list of n bound values.
std::string placeholders(int first, std::size_t n) {
  std::string list;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) list += ", ";
    list += "?" + std::to_string(first + static_cast<int>(i));
  }
  return list;
}

bool contains(std::span<const EventType> types, EventType type) {
  return std::ranges::find(types, type) != types.end();
}

/// events_by_asset's condition: " AND (e.event_type = 'A' OR e.event_type = 'B' ...)".
std::string asset_events_condition() {
  std::string condition = " AND (";
  for (std::size_t i = 0; i < kAssetEventTypes.size(); ++i) {
    if (i > 0) condition += " OR ";
    condition += "e.event_type = '" + std::string(to_string(kAssetEventTypes[i])) + "'";
  }
  return condition + ")";
}

/// events_by_type's condition: " AND e.event_type <> 'A' AND e.event_type <> 'B' ...".
std::string followed_events_condition() {
  std::string condition;
  for (EventType type : kUnfollowedEventTypes) {
    condition += " AND e.event_type <> '" + std::string(to_string(type)) + "'";
  }
  return condition;
}

}  // namespace

std::string SqliteStorage::select_runs(std::string_view rest) {
  return "SELECT " + std::string(kRunColumns) + " FROM runs " + std::string(rest);
}

RunRecord SqliteStorage::read_run(const Query& q) const {
  RunRecord run;
  run.run_id = q.text(0);
  run.job_name = q.text(1);
  run.selection = q.text(2);
  const std::string status = q.text(3);
  const auto parsed_status = run_status_from_string(status);
  if (!parsed_status) {
    throw StorageError(
        corrupt_row(path_, "run '" + run.run_id + "' has unknown status '" + status + "'"));
  }
  run.status = *parsed_status;
  run.config_json = q.text(4);
  try {
    run.tags = nlohmann::json::parse(q.text(5)).get<std::map<std::string, std::string>>();
    run.step_keys = nlohmann::json::parse(q.text(8)).get<std::vector<std::string>>();
    run.partition_keys = nlohmann::json::parse(q.text(16)).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw StorageError(corrupt_row(path_, "run '" + run.run_id +
                                              "' has malformed tags, step keys or partition "
                                              "keys (" +
                                              e.what() + ")"));
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
  run.priority = static_cast<int>(q.integer(17));
  run.run_key = q.text(18);
  run.heartbeat_at = q.real(19);
  return run;
}

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
    : path_(std::move(path)),
      db_(db),
      tracking_(std::make_unique<SqliteTrackingStore>(*this)),
      automation_(std::make_unique<SqliteAutomationStore>(*this)) {}

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
  insert_run(run, kDoing);
  transaction.commit();
}

void SqliteStorage::insert_run(const RunRecord& run, std::string_view doing) {
  {
    Query existing(*this, "SELECT 1 FROM runs WHERE run_id = ?", doing);
    if (existing.text(1, run.run_id).step()) {
      throw StorageError("a run with id '" + run.run_id + "' already exists in " + path_.string());
    }
  }
  Query insert(*this,
               "INSERT INTO runs (run_id, job_name, selection, status, config_json, tags_json, "
               "parent_run_id, root_run_id, step_keys_json, created_at, started_at, ended_at, "
               "failure_reason, cancel_requested, host, pid, partition_keys_json, priority, "
               "run_key, heartbeat_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               doing);
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
      .text(17, nlohmann::json(run.partition_keys).dump())
      .integer(18, run.priority)
      .text(19, run.run_key)
      .real(20, run.heartbeat_at)
      .step();
  Query tag(*this, "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)", doing);
  for (const auto& [key, value] : run.tags) {
    tag.text(1, run.run_id).text(2, key).text(3, value).step();
    tag.reset();
  }
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
  Query index_asset(*this,
                    "INSERT INTO asset_index (asset_key, partition_key, run_id, event_id, "
                    "timestamp, payload, data_version, code_version, config_hash, inputs) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (asset_key, partition_key) DO UPDATE SET "
                    "run_id = excluded.run_id, event_id = excluded.event_id, "
                    "timestamp = excluded.timestamp, payload = excluded.payload, "
                    "data_version = excluded.data_version, code_version = excluded.code_version, "
                    "config_hash = excluded.config_hash, inputs = excluded.inputs",
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
        const VersionColumns versions = version_columns(event);
        index_asset.text(1, event.asset_key)
            .text(2, event.partition_key)
            .text(3, event.run_id)
            .integer(4, id)
            .real(5, event.timestamp)
            .text(6, event.payload_json)
            .text(7, versions.data_version)
            .text(8, versions.code_version)
            .text(9, versions.config_hash)
            .text(10, versions.inputs)
            .step();
        index_asset.reset();
      } else if (event.type == EventType::kAssetObservation) {
        index_observation(event, id, kDoing);
      } else if (event.type == EventType::kAssetCheckEvaluation) {
        index_check(event, id, kDoing);
      } else if (event.type == EventType::kDynamicPartitionsAdded) {
        const nlohmann::json payload = payload_object(event);
        const std::string name = string_field(event, payload, "name");
        if (name.empty()) malformed_payload(event, "has no \"name\" of the partition set");
        insert_dynamic_partitions(name, strings_field(event, payload, "keys"), event.timestamp,
                                  kDoing);
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
        if (*status == RunStatus::kStarted) {
          automation_->start_backfill_partitions(event.run_id, kDoing);
        } else if (is_finished(*status)) {
          automation_->end_backfill_partitions(run_seq, event.run_id, *status, event.timestamp,
                                               kDoing);
        }
      }
    } catch (const StorageError& e) {
      throw StorageError(std::string(e.what()) + " (at the " + std::string(to_string(event.type)) +
                         " event of run '" + event.run_id + "')");
    }
  }
  transaction.commit();
  for (std::size_t i = 0; i < events.size(); ++i) events[i].id = ids[i];
}

void SqliteStorage::index_observation(const Event& event, std::int64_t id, std::string_view doing) {
  const nlohmann::json payload = payload_object(event);
  Query q(*this,
          "INSERT INTO asset_observations (asset_key, partition_key, run_id, event_id, "
          "timestamp, data_version, payload) VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (asset_key, partition_key) DO UPDATE SET run_id = excluded.run_id, "
          "event_id = excluded.event_id, timestamp = excluded.timestamp, "
          "data_version = excluded.data_version, payload = excluded.payload",
          doing);
  q.text(1, event.asset_key)
      .text(2, event.partition_key)
      .text(3, event.run_id)
      .integer(4, id)
      .real(5, event.timestamp)
      .text(6, string_field(event, payload, "data_version"))
      .text(7, event.payload_json)
      .step();
}

void SqliteStorage::index_check(const Event& event, std::int64_t id, std::string_view doing) {
  const nlohmann::json payload = payload_object(event);
  const std::string check = string_field(event, payload, "check");
  if (check.empty()) malformed_payload(event, "has no \"check\" naming the check");
  if (!payload.contains("passed")) malformed_payload(event, "has no \"passed\"");
  const std::string severity = string_field(event, payload, "severity");
  if (severity != "warn" && severity != "error") {
    malformed_payload(event, "has a \"severity\" other than \"warn\" or \"error\"");
  }
  Query q(*this,
          "INSERT INTO asset_check_index (asset_key, partition_key, check_name, run_id, "
          "event_id, timestamp, passed, severity, blocking, payload) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (asset_key, partition_key, check_name) DO UPDATE SET "
          "run_id = excluded.run_id, event_id = excluded.event_id, "
          "timestamp = excluded.timestamp, passed = excluded.passed, "
          "severity = excluded.severity, blocking = excluded.blocking, payload = excluded.payload",
          doing);
  q.text(1, event.asset_key)
      .text(2, event.partition_key)
      .text(3, check)
      .text(4, event.run_id)
      .integer(5, id)
      .real(6, event.timestamp)
      .integer(7, bool_field(event, payload, "passed", false) ? 1 : 0)
      .text(8, severity)
      .integer(9, bool_field(event, payload, "blocking", false) ? 1 : 0)
      .text(10, event.payload_json)
      .step();
}

std::vector<std::string> SqliteStorage::insert_dynamic_partitions(
    std::string_view name, const std::vector<std::string>& keys, double added_at,
    std::string_view doing) {
  if (name.empty()) {
    throw StorageError("cannot add dynamic partitions to a set without a name; name the set");
  }
  Query insert(*this,
               "INSERT INTO dynamic_partitions (name, partition_key, added_at) VALUES (?, ?, ?) "
               "ON CONFLICT (name, partition_key) DO NOTHING",
               doing);
  std::vector<std::string> added;
  for (const std::string& key : keys) {
    if (key.empty()) {
      throw StorageError("cannot add an empty partition key to dynamic partition set '" +
                         std::string(name) + "'; an empty key means \"not partitioned\"");
    }
    insert.text(1, name).text(2, key).real(3, added_at).step();
    insert.reset();
    if (sqlite3_changes(db_) > 0) added.push_back(key);
  }
  return added;
}

std::optional<RunRecord> SqliteStorage::get_run(std::string_view run_id) {
  std::lock_guard lock(mutex_);
  Query q(*this, select_runs("WHERE run_id = ?"), "reading a run");
  if (!q.text(1, run_id).step()) return std::nullopt;
  return read_run(q);
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
  while (q.step()) runs.push_back(read_run(q));
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
  while (q.step()) runs.push_back(read_run(q));
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

std::vector<AssetVersionRecord> SqliteStorage::asset_versions() {
  std::lock_guard lock(mutex_);
  Query q(*this,
          "SELECT " + std::string(kVersionColumns) +
              " FROM asset_index ORDER BY asset_key, partition_key",
          "reading the asset index's versions");
  std::vector<AssetVersionRecord> records;
  while (q.step()) records.push_back(read_version(*this, q));
  return records;
}

std::vector<AssetVersionRecord> SqliteStorage::asset_versions_after(std::int64_t after_event_id) {
  std::lock_guard lock(mutex_);
  Query q(*this,
          "SELECT " + std::string(kVersionColumns) +
              " FROM asset_index WHERE event_id > ? ORDER BY event_id",
          "reading the asset index's versions");
  q.integer(1, after_event_id);
  std::vector<AssetVersionRecord> records;
  while (q.step()) records.push_back(read_version(*this, q));
  return records;
}

std::vector<ObservationRecord> SqliteStorage::latest_observations() {
  std::lock_guard lock(mutex_);
  Query q(*this,
          "SELECT asset_key, partition_key, run_id, event_id, timestamp, data_version, payload "
          "FROM asset_observations ORDER BY asset_key, partition_key",
          "reading the observation index");
  std::vector<ObservationRecord> records;
  while (q.step()) records.push_back(read_observation(q));
  return records;
}

std::vector<ObservationRecord> SqliteStorage::observations_after(std::int64_t after_event_id) {
  // The observation events after the id, through events_by_type (whose condition the query must
  // repeat for SQLite to use it), then their index entries if they are still the latest.
  const std::string sql =
      "SELECT o.asset_key, o.partition_key, o.run_id, o.event_id, o.timestamp, o.data_version, "
      "o.payload FROM events e JOIN asset_observations o ON o.event_id = e.id "
      "AND o.asset_key = e.asset_key AND o.partition_key = e.partition_key "
      "WHERE e.id > ? AND e.event_type = '" +
      std::string(to_string(EventType::kAssetObservation)) + "'" + followed_events_condition() +
      " ORDER BY e.id";
  std::lock_guard lock(mutex_);
  Query q(*this, sql, "reading the observation index");
  q.integer(1, after_event_id);
  std::vector<ObservationRecord> records;
  while (q.step()) records.push_back(read_observation(q));
  return records;
}

std::vector<CheckRecord> SqliteStorage::latest_check_results(std::string_view asset_key) {
  std::lock_guard lock(mutex_);
  Query q(*this,
          "SELECT asset_key, partition_key, check_name, run_id, event_id, timestamp, passed, "
          "severity, blocking, payload FROM asset_check_index "
          "WHERE ?1 = '' OR asset_key = ?1 ORDER BY asset_key, partition_key, check_name",
          "reading the check index");
  q.text(1, asset_key);
  std::vector<CheckRecord> records;
  while (q.step()) records.push_back(read_check(q));
  return records;
}

std::vector<Event> SqliteStorage::asset_history(std::string_view asset_key,
                                                const AssetHistoryFilter& filter) {
  const std::span<const EventType> types =
      filter.types.empty() ? std::span<const EventType>(kAssetEventTypes) : filter.types;
  // The SQL text depends only on the number of types and whether the index covers them, so the
  // statement cache stays small.
  const std::string sql =
      "SELECT " + std::string(kEventColumnsWithRun) +
      " FROM events e JOIN runs r ON r.run_seq = e.run_seq "
      "WHERE e.asset_key = ?1 AND e.id < ?2 AND (?3 = '' OR e.partition_key = ?3) "
      "AND e.event_type IN (" +
      placeholders(5, types.size()) + ")" +
      (std::ranges::all_of(types, [](EventType t) { return contains(kAssetEventTypes, t); })
           ? asset_events_condition()
           : "") +
      " ORDER BY e.id DESC LIMIT ?4";
  std::lock_guard lock(mutex_);
  Query q(*this, sql, "reading an asset's history");
  q.text(1, asset_key)
      .integer(2,
               filter.before_id > 0 ? filter.before_id : std::numeric_limits<std::int64_t>::max())
      .text(3, filter.partition_key)
      .integer(4, filter.limit > 0 ? filter.limit : -1);
  for (std::size_t i = 0; i < types.size(); ++i) {
    q.text(5 + static_cast<int>(i), to_string(types[i]));
  }
  std::vector<Event> events;
  while (q.step()) events.push_back(read_event(*this, q, q.text(9)));
  return events;
}

std::vector<Event> SqliteStorage::events_after(std::int64_t after_id,
                                               std::span<const EventType> types, int limit) {
  std::string sql = "SELECT " + std::string(kEventColumnsWithRun) +
                    " FROM events e JOIN runs r ON r.run_seq = e.run_seq WHERE e.id > ?1";
  if (!types.empty()) {
    sql += " AND e.event_type IN (" + placeholders(3, types.size()) + ")";
    if (std::ranges::none_of(types,
                             [](EventType t) { return contains(kUnfollowedEventTypes, t); })) {
      sql += followed_events_condition();
    }
  }
  sql += " ORDER BY e.id LIMIT ?2";
  std::lock_guard lock(mutex_);
  Query q(*this, sql, "reading new events");
  q.integer(1, after_id).integer(2, limit > 0 ? limit : -1);
  for (std::size_t i = 0; i < types.size(); ++i) {
    q.text(3 + static_cast<int>(i), to_string(types[i]));
  }
  std::vector<Event> events;
  while (q.step()) events.push_back(read_event(*this, q, q.text(9)));
  return events;
}

std::int64_t SqliteStorage::last_event_id() {
  std::lock_guard lock(mutex_);
  Query q(*this, "SELECT coalesce(max(id), 0) FROM events", "reading the last event id");
  q.step();
  return q.integer(0);
}

std::vector<std::string> SqliteStorage::dynamic_partition_keys(std::string_view name) {
  std::lock_guard lock(mutex_);
  Query q(*this, "SELECT partition_key FROM dynamic_partitions WHERE name = ? ORDER BY id",
          "reading dynamic partitions");
  q.text(1, name);
  std::vector<std::string> keys;
  while (q.step()) keys.push_back(q.text(0));
  return keys;
}

std::vector<std::string> SqliteStorage::add_dynamic_partitions(
    std::string_view name, const std::vector<std::string>& keys) {
  std::lock_guard lock(mutex_);
  constexpr std::string_view kDoing = "adding dynamic partitions";
  Transaction transaction(*this, kDoing);
  std::vector<std::string> added = insert_dynamic_partitions(
      name, keys, to_epoch_seconds(std::chrono::system_clock::now()), kDoing);
  transaction.commit();
  return added;
}

std::vector<std::string> SqliteStorage::delete_dynamic_partitions(
    std::string_view name, const std::vector<std::string>& keys) {
  std::lock_guard lock(mutex_);
  constexpr std::string_view kDoing = "deleting dynamic partitions";
  Transaction transaction(*this, kDoing);
  Query remove(*this, "DELETE FROM dynamic_partitions WHERE name = ? AND partition_key = ?",
               kDoing);
  std::vector<std::string> removed;
  for (const std::string& key : keys) {
    remove.text(1, name).text(2, key).step();
    remove.reset();
    if (sqlite3_changes(db_) > 0) removed.push_back(key);
  }
  transaction.commit();
  return removed;
}

std::map<std::string, std::vector<std::string>> SqliteStorage::all_dynamic_partitions() {
  std::lock_guard lock(mutex_);
  Query q(*this, "SELECT name, partition_key FROM dynamic_partitions ORDER BY name, id",
          "reading dynamic partitions");
  std::map<std::string, std::vector<std::string>> sets;
  while (q.step()) sets[q.text(0)].push_back(q.text(1));
  return sets;
}

void SqliteStorage::claim_run(std::string_view run_id, const std::string& host, std::int64_t pid,
                              const std::vector<std::string>& step_keys) {
  std::lock_guard lock(mutex_);
  Query q(*this, "UPDATE runs SET host = ?, pid = ?, step_keys_json = ? WHERE run_id = ?",
          "recording the process of a run");
  q.text(1, host).integer(2, pid).text(3, nlohmann::json(step_keys).dump()).text(4, run_id).step();
  if (sqlite3_changes(db_) == 0) {
    throw NotFoundError("no run with id '" + std::string(run_id) + "' to take over");
  }
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

AutomationStore& SqliteStorage::automation() {
  return *automation_;
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
