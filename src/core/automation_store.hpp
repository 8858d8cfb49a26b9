#pragma once
// The daemon's durable state (DESIGN.md §5, §6): schedule/sensor state and cursors, ticks, run
// keys, the daemon lease, backfills, concurrency pools, the run queue and run heartbeats.
// Implemented by each storage backend on the instance database; reached through
// Storage::automation().
//
// Crash safety rests on commit_tick(): creating a tick's runs, claiming their run keys, ending
// the tick and storing the cursor happen in one transaction, so a daemon killed at any instant
// either did all of it or none of it, and a restarted daemon re-evaluating the same tick finds
// the run keys already claimed.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/run_record.hpp"

namespace cairn {

enum class InstigatorKind { kSchedule, kSensor, kAutomation, kBackfill };
std::string_view to_string(InstigatorKind kind);
std::optional<InstigatorKind> instigator_kind_from_string(std::string_view text);

/// The stored state of one schedule, sensor or the automation evaluator.
struct InstigatorState {
  std::string name;
  InstigatorKind kind = InstigatorKind::kSchedule;
  bool running = true;
  std::string cursor;
  double updated_at = 0;
};

enum class TickStatus { kStarted, kSuccess, kSkipped, kFailure };
std::string_view to_string(TickStatus status);
std::optional<TickStatus> tick_status_from_string(std::string_view text);

/// One evaluation of an instigator, with its outcome.
struct TickRecord {
  std::int64_t id = 0;  // assigned by begin_tick
  std::string instigator;
  InstigatorKind kind = InstigatorKind::kSchedule;
  double tick_time = 0;  // schedules: the cron time; others: when the evaluation started
  double started_at = 0;
  double ended_at = 0;
  TickStatus status = TickStatus::kStarted;
  std::vector<std::string> run_ids;
  std::vector<std::string> run_keys;  // requested (including duplicates that launched nothing)
  std::string skip_reason;
  std::string error;
  std::string cursor;       // the cursor after the tick
  std::string log;          // lines the evaluation logged
  std::string detail_json;  // automation: per-asset reasons; may be empty
};

/// Everything one tick decided, committed atomically.
struct TickCommit {
  TickRecord tick;  // id from begin_tick; status, reasons and log to store
  /// Runs to create as QUEUED. A run with a run_key already claimed is not created.
  std::vector<RunRecord> runs;
  /// The instigator's new cursor; nullopt: unchanged.
  std::optional<std::string> cursor;
  /// Dynamic partition keys to add, by set name.
  std::vector<std::pair<std::string, std::vector<std::string>>> add_dynamic_partitions;
};

struct TickCommitResult {
  std::vector<std::string> created_run_ids;
  std::vector<std::string> duplicate_run_keys;  // already claimed: no run was created
};

enum class BackfillStatus { kRequested, kCompleted, kFailed, kCanceled };
std::string_view to_string(BackfillStatus status);
std::optional<BackfillStatus> backfill_status_from_string(std::string_view text);

struct BackfillRecord {
  std::string backfill_id;
  BackfillStatus status = BackfillStatus::kRequested;
  std::string selection;
  std::string job_name;
  std::string config_json = "{}";
  std::map<std::string, std::string> tags;
  bool single_run = false;
  int max_partitions_per_run = 1;
  double created_at = 0;
  double ended_at = 0;
  std::int64_t partition_count = 0;
};

enum class PartitionRunStatus { kQueued, kInProgress, kSuccess, kFailure, kCanceled };
std::string_view to_string(PartitionRunStatus status);
std::optional<PartitionRunStatus> partition_run_status_from_string(std::string_view text);

struct BackfillPartition {
  std::string partition_key;
  PartitionRunStatus status = PartitionRunStatus::kQueued;
  std::string run_id;
};

/// Progress counts of a backfill by partition status.
struct BackfillProgress {
  std::int64_t queued = 0, in_progress = 0, succeeded = 0, failed = 0, canceled = 0;
};

/// Thread safety: like Storage, every method may be called from any thread.
class AutomationStore {
 public:
  virtual ~AutomationStore() = default;

  // ---- schedules, sensors, automation ----------------------------------------------------
  virtual std::optional<InstigatorState> instigator_state(std::string_view name) = 0;
  virtual std::vector<InstigatorState> instigator_states() = 0;
  /// Inserts or replaces the state of `state.name`.
  virtual void set_instigator_state(const InstigatorState& state) = 0;

  /// Records a STARTED tick and returns its id.
  virtual std::int64_t begin_tick(const TickRecord& tick) = 0;
  /// In one transaction: claims each run's run key (a key already claimed by any run: the run is
  /// skipped and its key reported as a duplicate), adds the other runs as QUEUED (with their
  /// tags), adds the dynamic partitions, stores the tick (status, run ids, keys, reasons, log,
  /// ended_at) and the cursor. Throws StorageError and changes nothing on failure.
  virtual TickCommitResult commit_tick(const TickCommit& commit) = 0;
  /// Newest first; ticks with tick_time < before only, when before > 0.
  virtual std::vector<TickRecord> ticks(std::string_view instigator, int limit,
                                        double before = 0) = 0;
  /// The newest tick of `instigator` with status other than STARTED (where a schedule resumes).
  virtual std::optional<TickRecord> latest_finished_tick(std::string_view instigator) = 0;
  /// Ticks left STARTED (by a daemon that died mid-tick), oldest first.
  virtual std::vector<TickRecord> started_ticks() = 0;
  /// The run that claimed `run_key`, if any.
  virtual std::optional<std::string> run_for_key(std::string_view run_key) = 0;

  // ---- the daemon lease --------------------------------------------------------------------
  /// Takes or renews the lease `name` for `owner` until now + ttl. Returns false if another
  /// owner holds an unexpired lease. Atomic across processes.
  virtual bool acquire_lease(std::string_view name, std::string_view owner, double now,
                             double ttl_seconds) = 0;
  /// Releases the lease if `owner` holds it.
  virtual void release_lease(std::string_view name, std::string_view owner) = 0;

  // ---- backfills ---------------------------------------------------------------------------
  // A backfill's partitions follow the events of the runs covering them, in the transaction
  // that appends those events (Storage::append_events): RUN_START makes them IN_PROGRESS; the
  // run's final event gives them their outcome and ends the backfill when it was the last one
  // running. A crash can therefore never leave a finished run's partitions in progress.
  /// In one transaction: the backfill, its partitions (status QUEUED, run id from
  /// `runs[i]` for the partitions that run covers), and the runs as QUEUED. Each run's
  /// partition_keys name the partitions it covers.
  virtual void add_backfill(const BackfillRecord& backfill,
                            const std::vector<std::string>& partition_keys,
                            const std::vector<RunRecord>& runs) = 0;
  virtual std::optional<BackfillRecord> get_backfill(std::string_view backfill_id) = 0;
  /// Newest first.
  virtual std::vector<BackfillRecord> list_backfills(int limit) = 0;
  virtual void set_backfill_status(std::string_view backfill_id, BackfillStatus status,
                                   double ended_at) = 0;
  /// In partition order (the order given to add_backfill).
  virtual std::vector<BackfillPartition> backfill_partitions(std::string_view backfill_id) = 0;
  virtual BackfillProgress backfill_progress(std::string_view backfill_id) = 0;
  /// Points partitions at a new run (resume) and marks them QUEUED, adding the run as QUEUED,
  /// in one transaction.
  virtual void requeue_backfill_partitions(std::string_view backfill_id,
                                           const std::vector<std::string>& partition_keys,
                                           const RunRecord& run) = 0;

  // ---- pools -------------------------------------------------------------------------------
  /// Takes a slot of `pool` for the step if fewer than `limit` are taken. Atomic across
  /// processes.
  virtual bool try_claim_pool_slot(std::string_view pool, int limit, std::string_view run_id,
                                   std::string_view step_key) = 0;
  virtual void release_pool_slot(std::string_view pool, std::string_view run_id,
                                 std::string_view step_key) = 0;
  /// Frees every slot held by the run (its process died).
  virtual void release_pool_slots_of_run(std::string_view run_id) = 0;

  // ---- run queue and heartbeats ------------------------------------------------------------
  /// Queued runs, highest priority first, then oldest first.
  virtual std::vector<RunRecord> queued_runs(int limit) = 0;
  /// Runs STARTING or STARTED (the run queue's occupancy), with their tags.
  virtual std::vector<RunRecord> active_runs() = 0;
  /// QUEUED -> STARTING for the launcher, atomically; false if the run was not QUEUED (another
  /// daemon took it, or it was cancelled).
  virtual bool dequeue_run(std::string_view run_id) = 0;
  /// Records that the run's process is alive at `now`.
  virtual void heartbeat(std::string_view run_id, double now) = 0;
};

}  // namespace cairn
