#include "storage/sqlite_automation_store.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "cairn/error.hpp"
#include "core/step_key.hpp"
#include "storage/sqlite_query.hpp"

namespace cairn {

namespace {

constexpr std::string_view kTickSelect =
    "SELECT id, instigator, kind, tick_time, started_at, ended_at, status, run_ids_json, "
    "run_keys_json, skip_reason, error, cursor, log, detail_json FROM ticks ";
constexpr std::string_view kBackfillSelect =
    "SELECT backfill_id, status, selection, job_name, config_json, tags_json, single_run, "
    "max_partitions_per_run, created_at, ended_at, partition_count FROM backfills ";

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string no_backfill(std::string_view backfill_id) {
  return "no backfill with id " + in_quotes(backfill_id) +
         "; `backfill list` shows the backfills of this instance";
}

/// The enum named `text` in a row, read with `from_string`; a corrupt-database error otherwise.
template <class E>
E read_enum(const SqliteStorage& storage, std::optional<E> (*from_string)(std::string_view),
            const std::string& text, std::string_view what) {
  const std::optional<E> value = from_string(text);
  if (!value) {
    throw StorageError(
        corrupt_row(storage.path(), "unknown " + std::string(what) + " " + in_quotes(text)));
  }
  return *value;
}

template <class T>
T read_json(const SqliteStorage& storage, const std::string& text, std::string_view what) {
  try {
    return nlohmann::json::parse(text).get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw StorageError(
        corrupt_row(storage.path(), "malformed " + std::string(what) + " (" + e.what() + ")"));
  }
}

InstigatorState read_instigator(const SqliteStorage& storage, const auto& q) {
  InstigatorState state;
  state.name = q.text(0);
  state.kind = read_enum(storage, instigator_kind_from_string, q.text(1), "instigator kind");
  state.running = q.integer(2) != 0;
  state.cursor = q.text(3);
  state.updated_at = q.real(4);
  return state;
}

TickRecord read_tick(const SqliteStorage& storage, const auto& q) {
  TickRecord tick;
  tick.id = q.integer(0);
  tick.instigator = q.text(1);
  tick.kind = read_enum(storage, instigator_kind_from_string, q.text(2), "instigator kind");
  tick.tick_time = q.real(3);
  tick.started_at = q.real(4);
  tick.ended_at = q.real(5);
  tick.status = read_enum(storage, tick_status_from_string, q.text(6), "tick status");
  tick.run_ids = read_json<std::vector<std::string>>(storage, q.text(7), "tick run ids");
  tick.run_keys = read_json<std::vector<std::string>>(storage, q.text(8), "tick run keys");
  tick.skip_reason = q.text(9);
  tick.error = q.text(10);
  tick.cursor = q.text(11);
  tick.log = q.text(12);
  tick.detail_json = q.text(13);
  return tick;
}

BackfillRecord read_backfill(const SqliteStorage& storage, const auto& q) {
  BackfillRecord backfill;
  backfill.backfill_id = q.text(0);
  backfill.status = read_enum(storage, backfill_status_from_string, q.text(1), "backfill status");
  backfill.selection = q.text(2);
  backfill.job_name = q.text(3);
  backfill.config_json = q.text(4);
  backfill.tags =
      read_json<std::map<std::string, std::string>>(storage, q.text(5), "backfill tags");
  backfill.single_run = q.integer(6) != 0;
  backfill.max_partitions_per_run = static_cast<int>(q.integer(7));
  backfill.created_at = q.real(8);
  backfill.ended_at = q.real(9);
  backfill.partition_count = q.integer(10);
  return backfill;
}

}  // namespace

// ---- helpers --------------------------------------------------------------------------------

std::int64_t SqliteAutomationStore::backfill_seq(std::string_view backfill_id,
                                                 std::string_view doing) {
  SqliteStorage::Query q(storage_, "SELECT backfill_seq FROM backfills WHERE backfill_id = ?",
                         doing);
  if (!q.text(1, backfill_id).step()) throw NotFoundError(no_backfill(backfill_id));
  return q.integer(0);
}

void SqliteAutomationStore::insert_queued_run(const RunRecord& run, std::string_view doing) {
  RunRecord queued = run;
  queued.status = RunStatus::kQueued;
  storage_.insert_run(queued, doing);
  if (run.run_key.empty()) return;
  SqliteStorage::Query claim(storage_, "INSERT INTO run_keys (run_key, run_id) VALUES (?, ?)",
                             doing);
  claim.text(1, run.run_key).text(2, run.run_id).step();
}

// ---- schedules, sensors, automation ---------------------------------------------------------

std::optional<InstigatorState> SqliteAutomationStore::instigator_state(std::string_view name) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_,
                         "SELECT name, kind, running, cursor, updated_at FROM instigator_state "
                         "WHERE name = ?",
                         "reading an instigator's state");
  if (!q.text(1, name).step()) return std::nullopt;
  return read_instigator(storage_, q);
}

std::vector<InstigatorState> SqliteAutomationStore::instigator_states() {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_,
                         "SELECT name, kind, running, cursor, updated_at FROM instigator_state "
                         "ORDER BY name",
                         "reading the instigators' states");
  std::vector<InstigatorState> states;
  while (q.step()) states.push_back(read_instigator(storage_, q));
  return states;
}

void SqliteAutomationStore::set_instigator_state(const InstigatorState& state) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "storing an instigator's state";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(storage_,
                         "INSERT OR REPLACE INTO instigator_state (name, kind, running, cursor, "
                         "updated_at) VALUES (?, ?, ?, ?, ?)",
                         kDoing);
  q.text(1, state.name)
      .text(2, to_string(state.kind))
      .integer(3, state.running ? 1 : 0)
      .text(4, state.cursor)
      .real(5, state.updated_at)
      .step();
  transaction.commit();
}

std::int64_t SqliteAutomationStore::begin_tick(const TickRecord& tick) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "starting a tick";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(storage_,
                         "INSERT INTO ticks (instigator, kind, tick_time, started_at, ended_at, "
                         "status, run_ids_json, run_keys_json, skip_reason, error, cursor, log, "
                         "detail_json) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
                         kDoing);
  q.text(1, tick.instigator)
      .text(2, to_string(tick.kind))
      .real(3, tick.tick_time)
      .real(4, tick.started_at)
      .text(5, to_string(TickStatus::kStarted))
      .text(6, nlohmann::json(tick.run_ids).dump())
      .text(7, nlohmann::json(tick.run_keys).dump())
      .text(8, tick.skip_reason)
      .text(9, tick.error)
      .text(10, tick.cursor)
      .text(11, tick.log)
      .text(12, tick.detail_json)
      .step();
  const std::int64_t id = sqlite3_last_insert_rowid(storage_.db_);
  transaction.commit();
  return id;
}

TickCommitResult SqliteAutomationStore::commit_tick(const TickCommit& commit) {
  const TickRecord& tick = commit.tick;
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "committing a tick";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  {
    SqliteStorage::Query q(storage_, "SELECT 1 FROM ticks WHERE id = ?", kDoing);
    if (!q.integer(1, tick.id).step()) {
      throw NotFoundError("no tick with id " + std::to_string(tick.id) + " of " +
                          in_quotes(tick.instigator) +
                          " to commit; begin_tick must come before commit_tick");
    }
  }
  TickCommitResult result;
  std::vector<std::string> requested_keys = tick.run_keys;
  {
    SqliteStorage::Query claimed(storage_, "SELECT 1 FROM run_keys WHERE run_key = ?", kDoing);
    for (const RunRecord& run : commit.runs) {
      if (!run.run_key.empty()) {
        if (tick.run_keys.empty()) requested_keys.push_back(run.run_key);
        const bool duplicate = claimed.text(1, run.run_key).step();
        claimed.reset();
        if (duplicate) {
          result.duplicate_run_keys.push_back(run.run_key);
          continue;
        }
      }
      insert_queued_run(run, kDoing);
      result.created_run_ids.push_back(run.run_id);
    }
  }
  const double now = tick.ended_at > 0 ? tick.ended_at : tick.started_at;
  for (const auto& [name, keys] : commit.add_dynamic_partitions) {
    storage_.insert_dynamic_partitions(name, keys, now, kDoing);
  }
  const std::string& cursor = commit.cursor ? *commit.cursor : tick.cursor;
  SqliteStorage::Query update(storage_,
                              "UPDATE ticks SET status = ?2, ended_at = ?3, run_ids_json = ?4, "
                              "run_keys_json = ?5, skip_reason = ?6, error = ?7, cursor = ?8, "
                              "log = ?9, detail_json = ?10 WHERE id = ?1",
                              kDoing);
  update.integer(1, tick.id)
      .text(2, to_string(tick.status))
      .real(3, tick.ended_at)
      .text(4, nlohmann::json(result.created_run_ids).dump())
      .text(5, nlohmann::json(requested_keys).dump())
      .text(6, tick.skip_reason)
      .text(7, tick.error)
      .text(8, cursor)
      .text(9, tick.log)
      .text(10, tick.detail_json)
      .step();
  if (commit.cursor) {
    SqliteStorage::Query state(storage_,
                               "INSERT INTO instigator_state (name, kind, running, cursor, "
                               "updated_at) VALUES (?1, ?2, 1, ?3, ?4) ON CONFLICT (name) DO "
                               "UPDATE SET cursor = excluded.cursor, updated_at = "
                               "excluded.updated_at",
                               kDoing);
    state.text(1, tick.instigator)
        .text(2, to_string(tick.kind))
        .text(3, *commit.cursor)
        .real(4, now)
        .step();
  }
  transaction.commit();
  return result;
}

std::vector<TickRecord> SqliteAutomationStore::ticks(std::string_view instigator, int limit,
                                                     double before) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_,
                         std::string(kTickSelect) +
                             "WHERE instigator = ?1 AND (?2 <= 0 OR tick_time < ?2) "
                             "ORDER BY tick_time DESC, id DESC LIMIT ?3",
                         "reading ticks");
  q.text(1, instigator).real(2, before).integer(3, limit > 0 ? limit : -1);
  std::vector<TickRecord> ticks;
  while (q.step()) ticks.push_back(read_tick(storage_, q));
  return ticks;
}

std::optional<TickRecord> SqliteAutomationStore::latest_finished_tick(std::string_view instigator) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_,
                         std::string(kTickSelect) +
                             "WHERE instigator = ? AND status <> 'STARTED' "
                             "ORDER BY tick_time DESC, id DESC LIMIT 1",
                         "reading ticks");
  if (!q.text(1, instigator).step()) return std::nullopt;
  return read_tick(storage_, q);
}

std::vector<TickRecord> SqliteAutomationStore::started_ticks() {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_,
                         std::string(kTickSelect) + "WHERE status = 'STARTED' ORDER BY id",
                         "reading unfinished ticks");
  std::vector<TickRecord> ticks;
  while (q.step()) ticks.push_back(read_tick(storage_, q));
  return ticks;
}

std::optional<std::string> SqliteAutomationStore::run_for_key(std::string_view run_key) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_, "SELECT run_id FROM run_keys WHERE run_key = ?",
                         "reading a run key");
  if (!q.text(1, run_key).step()) return std::nullopt;
  return q.text(0);
}

// ---- the daemon lease -------------------------------------------------------------------------

bool SqliteAutomationStore::acquire_lease(std::string_view name, std::string_view owner, double now,
                                          double ttl_seconds) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "taking a lease";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  {
    SqliteStorage::Query holder(storage_, "SELECT owner, expires_at FROM leases WHERE name = ?",
                                kDoing);
    if (holder.text(1, name).step() && holder.text(0) != owner && holder.real(1) > now) {
      return false;
    }
  }
  SqliteStorage::Query take(storage_,
                            "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) "
                            "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
                            "expires_at = excluded.expires_at",
                            kDoing);
  take.text(1, name).text(2, owner).real(3, now + ttl_seconds).step();
  transaction.commit();
  return true;
}

void SqliteAutomationStore::release_lease(std::string_view name, std::string_view owner) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "releasing a lease";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(storage_, "DELETE FROM leases WHERE name = ? AND owner = ?", kDoing);
  q.text(1, name).text(2, owner).step();
  transaction.commit();
}

// ---- backfills --------------------------------------------------------------------------------

void SqliteAutomationStore::add_backfill(const BackfillRecord& backfill,
                                         const std::vector<std::string>& partition_keys,
                                         const std::vector<RunRecord>& runs) {
  const std::string what = "backfill " + in_quotes(backfill.backfill_id);
  std::unordered_map<std::string_view, std::string_view> run_of_partition;
  run_of_partition.reserve(partition_keys.size());
  for (const std::string& key : partition_keys) {
    if (!run_of_partition.emplace(key, std::string_view()).second) {
      throw StorageError("cannot add " + what + ": partition " + in_quotes(key) +
                         " is listed twice");
    }
  }
  for (const RunRecord& run : runs) {
    for (const std::string& key : run.partition_keys) {
      const auto it = run_of_partition.find(key);
      if (it == run_of_partition.end()) {
        throw StorageError("cannot add " + what + ": run " + in_quotes(run.run_id) +
                           " covers partition " + in_quotes(key) +
                           ", which is not one of the backfill's partitions");
      }
      it->second = run.run_id;
    }
  }

  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "adding a backfill";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  {
    SqliteStorage::Query existing(storage_, "SELECT 1 FROM backfills WHERE backfill_id = ?",
                                  kDoing);
    if (existing.text(1, backfill.backfill_id).step()) {
      throw StorageError("a backfill with id " + in_quotes(backfill.backfill_id) +
                         " already exists in " + storage_.path().string());
    }
  }
  SqliteStorage::Query insert(storage_,
                              "INSERT INTO backfills (backfill_id, status, selection, job_name, "
                              "config_json, tags_json, single_run, max_partitions_per_run, "
                              "created_at, ended_at, partition_count) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              kDoing);
  insert.text(1, backfill.backfill_id)
      .text(2, to_string(backfill.status))
      .text(3, backfill.selection)
      .text(4, backfill.job_name)
      .text(5, backfill.config_json)
      .text(6, nlohmann::json(backfill.tags).dump())
      .integer(7, backfill.single_run ? 1 : 0)
      .integer(8, backfill.max_partitions_per_run)
      .real(9, backfill.created_at)
      .real(10, backfill.ended_at)
      .integer(11, static_cast<std::int64_t>(partition_keys.size()))
      .step();
  const std::int64_t seq = sqlite3_last_insert_rowid(storage_.db_);
  SqliteStorage::Query partition(storage_,
                                 "INSERT INTO backfill_partitions (backfill_seq, position, "
                                 "partition_key, status, run_id) VALUES (?, ?, ?, ?, ?)",
                                 kDoing);
  const std::string_view queued = to_string(PartitionRunStatus::kQueued);
  for (std::size_t i = 0; i < partition_keys.size(); ++i) {
    partition.integer(1, seq)
        .integer(2, static_cast<std::int64_t>(i))
        .text_ref(3, partition_keys[i])
        .text_ref(4, queued)
        .text_ref(5, run_of_partition.at(partition_keys[i]))
        .step();
    partition.reset();
  }
  for (const RunRecord& run : runs) insert_queued_run(run, kDoing);
  transaction.commit();
}

std::optional<BackfillRecord> SqliteAutomationStore::get_backfill(std::string_view backfill_id) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_, std::string(kBackfillSelect) + "WHERE backfill_id = ?",
                         "reading a backfill");
  if (!q.text(1, backfill_id).step()) return std::nullopt;
  return read_backfill(storage_, q);
}

std::vector<BackfillRecord> SqliteAutomationStore::list_backfills(int limit) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(
      storage_,
      std::string(kBackfillSelect) + "ORDER BY created_at DESC, backfill_seq DESC LIMIT ?",
      "listing backfills");
  q.integer(1, limit > 0 ? limit : -1);
  std::vector<BackfillRecord> backfills;
  while (q.step()) backfills.push_back(read_backfill(storage_, q));
  return backfills;
}

void SqliteAutomationStore::set_backfill_status(std::string_view backfill_id, BackfillStatus status,
                                                double ended_at) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "updating a backfill";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(
      storage_, "UPDATE backfills SET status = ?, ended_at = ? WHERE backfill_id = ?", kDoing);
  q.text(1, to_string(status)).real(2, ended_at).text(3, backfill_id).step();
  if (sqlite3_changes(storage_.db_) == 0) throw NotFoundError(no_backfill(backfill_id));
  transaction.commit();
}

std::vector<BackfillPartition> SqliteAutomationStore::backfill_partitions(
    std::string_view backfill_id) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "reading a backfill's partitions";
  const std::int64_t seq = backfill_seq(backfill_id, kDoing);
  SqliteStorage::Query q(storage_,
                         "SELECT partition_key, status, run_id FROM backfill_partitions "
                         "WHERE backfill_seq = ? ORDER BY position",
                         kDoing);
  q.integer(1, seq);
  std::vector<BackfillPartition> partitions;
  while (q.step()) {
    BackfillPartition& partition = partitions.emplace_back();
    partition.partition_key = q.text(0);
    partition.status =
        read_enum(storage_, partition_run_status_from_string, q.text(1), "partition status");
    partition.run_id = q.text(2);
  }
  return partitions;
}

BackfillProgress SqliteAutomationStore::backfill_progress(std::string_view backfill_id) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "reading a backfill's progress";
  const std::int64_t seq = backfill_seq(backfill_id, kDoing);
  SqliteStorage::Query q(storage_,
                         "SELECT status, count(*) FROM backfill_partitions WHERE backfill_seq = ? "
                         "GROUP BY status",
                         kDoing);
  q.integer(1, seq);
  BackfillProgress progress;
  while (q.step()) {
    const std::int64_t count = q.integer(1);
    switch (read_enum(storage_, partition_run_status_from_string, q.text(0), "partition status")) {
      case PartitionRunStatus::kQueued:
        progress.queued = count;
        break;
      case PartitionRunStatus::kInProgress:
        progress.in_progress = count;
        break;
      case PartitionRunStatus::kSuccess:
        progress.succeeded = count;
        break;
      case PartitionRunStatus::kFailure:
        progress.failed = count;
        break;
      case PartitionRunStatus::kCanceled:
        progress.canceled = count;
        break;
    }
  }
  return progress;
}

void SqliteAutomationStore::start_backfill_partitions(std::string_view run_id,
                                                      std::string_view doing) {
  SqliteStorage::Query q(storage_,
                         "UPDATE backfill_partitions SET status = 'IN_PROGRESS' "
                         "WHERE run_id = ? AND status = 'QUEUED'",
                         doing);
  q.text(1, run_id).step();
}

void SqliteAutomationStore::end_backfill_partitions(std::int64_t run_seq, std::string_view run_id,
                                                    RunStatus status, double ended_at,
                                                    std::string_view doing) {
  std::vector<std::pair<std::int64_t, std::string>> open;  // (backfill_seq, partition key)
  {
    SqliteStorage::Query q(storage_,
                           "SELECT backfill_seq, partition_key FROM backfill_partitions "
                           "WHERE run_id = ? AND (status = 'QUEUED' OR status = 'IN_PROGRESS')",
                           doing);
    q.text(1, run_id);
    while (q.step()) open.emplace_back(q.integer(0), q.text(1));
  }
  if (open.empty()) return;

  std::unordered_set<std::string> succeeded;  // partitions of a failed run that succeeded
  if (status == RunStatus::kFailure) {
    std::vector<std::string> planned;
    {
      SqliteStorage::Query q(storage_, "SELECT step_keys_json FROM runs WHERE run_seq = ?", doing);
      if (q.integer(1, run_seq).step()) {
        planned = read_json<std::vector<std::string>>(storage_, q.text(0), "run step keys");
      }
    }
    std::unordered_map<std::string, bool> step_succeeded;  // by the latest terminal event
    {
      SqliteStorage::Query q(storage_,
                             "SELECT step_key, event_type FROM events WHERE run_seq = ? AND "
                             "(event_type = 'STEP_SUCCESS' OR event_type = 'STEP_FAILURE' OR "
                             "event_type = 'STEP_SKIPPED') ORDER BY id",
                             doing);
      q.integer(1, run_seq);
      while (q.step()) step_succeeded[q.text(0)] = q.text_view(1) == "STEP_SUCCESS";
    }
    std::unordered_map<std::string_view, bool> partition_ok;
    for (const std::string& step_key : planned) {
      const std::string_view key = split_step_key(step_key).second;
      if (key.empty()) continue;
      const auto outcome = step_succeeded.find(step_key);
      const bool ok = outcome != step_succeeded.end() && outcome->second;
      const auto [it, inserted] = partition_ok.try_emplace(key, ok);
      if (!inserted) it->second = it->second && ok;
    }
    for (const auto& [key, ok] : partition_ok) {
      if (ok) succeeded.emplace(key);
    }
  }

  const auto outcome = [&](const std::string& key) {
    switch (status) {
      case RunStatus::kSuccess:
        return PartitionRunStatus::kSuccess;
      case RunStatus::kCanceled:
        return PartitionRunStatus::kCanceled;
      default:
        return succeeded.contains(key) ? PartitionRunStatus::kSuccess
                                       : PartitionRunStatus::kFailure;
    }
  };
  std::set<std::int64_t> backfills;
  {
    SqliteStorage::Query q(
        storage_,
        "UPDATE backfill_partitions SET status = ? WHERE backfill_seq = ? AND partition_key = ?",
        doing);
    for (const auto& [seq, key] : open) {
      q.text(1, to_string(outcome(key))).integer(2, seq).text(3, key).step();
      q.reset();
      backfills.insert(seq);
    }
  }
  SqliteStorage::Query left(storage_,
                            "SELECT sum(status = 'QUEUED' OR status = 'IN_PROGRESS'), "
                            "sum(status <> 'SUCCESS') FROM backfill_partitions "
                            "WHERE backfill_seq = ?",
                            doing);
  SqliteStorage::Query end(storage_,
                           "UPDATE backfills SET status = ?, ended_at = ? "
                           "WHERE backfill_seq = ? AND status = 'REQUESTED'",
                           doing);
  for (const std::int64_t seq : backfills) {
    left.integer(1, seq).step();
    const bool running = left.integer(0) > 0;
    const bool all_succeeded = left.integer(1) == 0;
    left.reset();
    if (running) continue;
    end.text(1, to_string(all_succeeded ? BackfillStatus::kCompleted : BackfillStatus::kFailed))
        .real(2, ended_at)
        .integer(3, seq)
        .step();
    end.reset();
  }
}

void SqliteAutomationStore::requeue_backfill_partitions(
    std::string_view backfill_id, const std::vector<std::string>& partition_keys,
    const RunRecord& run) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "requeuing backfill partitions";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t seq = backfill_seq(backfill_id, kDoing);
  insert_queued_run(run, kDoing);
  SqliteStorage::Query q(storage_,
                         "UPDATE backfill_partitions SET status = ?, run_id = ? "
                         "WHERE backfill_seq = ? AND partition_key = ?",
                         kDoing);
  for (const std::string& key : partition_keys) {
    q.text(1, to_string(PartitionRunStatus::kQueued))
        .text(2, run.run_id)
        .integer(3, seq)
        .text(4, key)
        .step();
    q.reset();
    if (sqlite3_changes(storage_.db_) == 0) {
      throw NotFoundError("backfill " + in_quotes(backfill_id) + " has no partition " +
                          in_quotes(key) + "; `backfill show " + std::string(backfill_id) +
                          "` lists its partitions");
    }
  }
  transaction.commit();
}

// ---- pools ------------------------------------------------------------------------------------

bool SqliteAutomationStore::try_claim_pool_slot(std::string_view pool, int limit,
                                                std::string_view run_id,
                                                std::string_view step_key) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "claiming a pool slot";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  {
    SqliteStorage::Query held(
        storage_, "SELECT 1 FROM pool_slots WHERE pool = ? AND run_id = ? AND step_key = ?",
        kDoing);
    if (held.text(1, pool).text(2, run_id).text(3, step_key).step()) return true;
  }
  {
    SqliteStorage::Query taken(storage_, "SELECT count(*) FROM pool_slots WHERE pool = ?", kDoing);
    taken.text(1, pool).step();
    if (taken.integer(0) >= limit) return false;
  }
  SqliteStorage::Query claim(
      storage_, "INSERT INTO pool_slots (pool, run_id, step_key) VALUES (?, ?, ?)", kDoing);
  claim.text(1, pool).text(2, run_id).text(3, step_key).step();
  transaction.commit();
  return true;
}

void SqliteAutomationStore::release_pool_slot(std::string_view pool, std::string_view run_id,
                                              std::string_view step_key) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "releasing a pool slot";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(
      storage_, "DELETE FROM pool_slots WHERE pool = ? AND run_id = ? AND step_key = ?", kDoing);
  q.text(1, pool).text(2, run_id).text(3, step_key).step();
  transaction.commit();
}

void SqliteAutomationStore::release_pool_slots_of_run(std::string_view run_id) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "releasing a run's pool slots";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(storage_, "DELETE FROM pool_slots WHERE run_id = ?", kDoing);
  q.text(1, run_id).step();
  transaction.commit();
}

// ---- run queue and heartbeats -------------------------------------------------------------------

std::vector<RunRecord> SqliteAutomationStore::queued_runs(int limit) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_,
                         SqliteStorage::select_runs("WHERE status = 'QUEUED' ORDER BY priority "
                                                    "DESC, created_at, run_seq LIMIT ?"),
                         "reading the run queue");
  q.integer(1, limit > 0 ? limit : -1);
  std::vector<RunRecord> runs;
  while (q.step()) runs.push_back(storage_.read_run(q));
  return runs;
}

std::vector<RunRecord> SqliteAutomationStore::active_runs() {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(
      storage_,
      SqliteStorage::select_runs(
          "WHERE status IN ('STARTING', 'STARTED') ORDER BY created_at, run_seq"),
      "reading the active runs");
  std::vector<RunRecord> runs;
  while (q.step()) runs.push_back(storage_.read_run(q));
  return runs;
}

bool SqliteAutomationStore::dequeue_run(std::string_view run_id) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "taking a run from the queue";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(storage_,
                         "UPDATE runs SET status = 'STARTING' WHERE run_id = ? AND "
                         "status = 'QUEUED'",
                         kDoing);
  q.text(1, run_id).step();
  const bool taken = sqlite3_changes(storage_.db_) > 0;
  transaction.commit();
  return taken;
}

void SqliteAutomationStore::heartbeat(std::string_view run_id, double now) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "recording a heartbeat";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  SqliteStorage::Query q(storage_, "UPDATE runs SET heartbeat_at = ? WHERE run_id = ?", kDoing);
  q.real(1, now).text(2, run_id).step();
  if (sqlite3_changes(storage_.db_) == 0) {
    throw NotFoundError("no run with id " + in_quotes(run_id) + " to record a heartbeat of");
  }
  transaction.commit();
}

}  // namespace cairn
