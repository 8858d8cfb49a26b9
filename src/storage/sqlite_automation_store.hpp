#pragma once
// AutomationStore in the instance's SQLite database (tables: docs/storage.md, migration 3). Like
// SqliteTrackingStore it is a part of SqliteStorage rather than a second connection: it takes
// SqliteStorage's mutex and uses its statement cache and transactions.
//
// Atomicity across processes: every method that decides something from what it reads (a lease,
// a run key, a pool slot, dequeuing a run) reads and writes inside one BEGIN IMMEDIATE
// transaction, which takes the database's write lock before the first read. A second process
// making the same decision waits for the lock (up to the busy timeout) and then reads what the
// first one committed. Rejected: a plain UPDATE ... WHERE in autocommit mode — in WAL mode it
// starts as a reader, and a writer that committed meanwhile makes it fail with SQLITE_BUSY at
// once instead of waiting.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/automation_store.hpp"

namespace cairn {

class SqliteStorage;

/// Thread safety: as SqliteStorage (every method may be called from any thread).
class SqliteAutomationStore final : public AutomationStore {
 public:
  /// `storage` owns this store and outlives it.
  explicit SqliteAutomationStore(SqliteStorage& storage) : storage_(storage) {}

  std::optional<InstigatorState> instigator_state(std::string_view name) override;
  /// Sorted by name.
  std::vector<InstigatorState> instigator_states() override;
  void set_instigator_state(const InstigatorState& state) override;

  std::int64_t begin_tick(const TickRecord& tick) override;
  /// The tick's run ids are the runs this commit created; its run keys are `tick.run_keys`, or
  /// the keys of `runs` when that is empty. The cursor (when given) also goes into the
  /// instigator's state, which is created (running, of the tick's kind) if it does not exist.
  /// Dynamic partitions get the tick's end time (its start time when that is 0) as their time
  /// of addition. Throws NotFoundError if the tick does not exist, StorageError if a run's id
  /// exists already; nothing is written then.
  TickCommitResult commit_tick(const TickCommit& commit) override;
  /// A limit of 0 or less means no limit.
  std::vector<TickRecord> ticks(std::string_view instigator, int limit, double before) override;
  std::optional<TickRecord> latest_finished_tick(std::string_view instigator) override;
  std::vector<TickRecord> started_ticks() override;
  std::optional<std::string> run_for_key(std::string_view run_key) override;

  bool acquire_lease(std::string_view name, std::string_view owner, double now,
                     double ttl_seconds) override;
  void release_lease(std::string_view name, std::string_view owner) override;

  /// The runs are stored as QUEUED whatever their status. Throws StorageError if the backfill
  /// id, a run id or a partition key repeats one already stored (or in the arguments), or a
  /// run names a partition that is not in `partition_keys`; nothing is written then.
  void add_backfill(const BackfillRecord& backfill, const std::vector<std::string>& partition_keys,
                    const std::vector<RunRecord>& runs) override;
  std::optional<BackfillRecord> get_backfill(std::string_view backfill_id) override;
  /// A limit of 0 or less means no limit.
  std::vector<BackfillRecord> list_backfills(int limit) override;
  /// Throws NotFoundError if the backfill does not exist.
  void set_backfill_status(std::string_view backfill_id, BackfillStatus status,
                           double ended_at) override;
  /// Throws NotFoundError if the backfill does not exist.
  std::vector<BackfillPartition> backfill_partitions(std::string_view backfill_id) override;
  /// Throws NotFoundError if the backfill does not exist.
  BackfillProgress backfill_progress(std::string_view backfill_id) override;
  /// Throws NotFoundError if the backfill or one of the partitions does not exist, StorageError
  /// if the run's id exists; nothing is written then.
  void requeue_backfill_partitions(std::string_view backfill_id,
                                   const std::vector<std::string>& partition_keys,
                                   const RunRecord& run) override;

  /// A step that already holds a slot of the pool keeps it (returns true).
  bool try_claim_pool_slot(std::string_view pool, int limit, std::string_view run_id,
                           std::string_view step_key) override;
  void release_pool_slot(std::string_view pool, std::string_view run_id,
                         std::string_view step_key) override;
  void release_pool_slots_of_run(std::string_view run_id) override;

  /// A limit of 0 or less means no limit.
  std::vector<RunRecord> queued_runs(int limit) override;
  /// Oldest first.
  std::vector<RunRecord> active_runs() override;
  bool dequeue_run(std::string_view run_id) override;
  /// Throws NotFoundError if the run does not exist.
  void heartbeat(std::string_view run_id, double now) override;

 private:
  // append_events moves a backfill's partitions with its runs' events (below).
  friend class SqliteStorage;

  // Each helper below requires the storage's mutex and runs inside the caller's transaction, if
  // any.

  /// RUN_START of run `run_id` is being appended: its backfill partitions still QUEUED become
  /// IN_PROGRESS.
  void start_backfill_partitions(std::string_view run_id, std::string_view doing);
  /// The final event of run `run_seq` (`run_id`), ending it with `status` at `ended_at`, is being
  /// appended (with the run's earlier events already inserted): its backfill partitions still
  /// QUEUED or IN_PROGRESS become SUCCESS when the run succeeded, CANCELED when it was canceled,
  /// and when it failed SUCCESS if the run planned steps for the partition and the latest
  /// terminal event of each is STEP_SUCCESS, FAILURE otherwise. Each backfill concerned that is
  /// REQUESTED and has no partition QUEUED or IN_PROGRESS left then ends COMPLETED (every
  /// partition succeeded) or FAILED, at `ended_at`. A run of no backfill costs one index lookup.
  void end_backfill_partitions(std::int64_t run_seq, std::string_view run_id, RunStatus status,
                               double ended_at, std::string_view doing);

  /// The seq of backfill `backfill_id`; NotFoundError if there is none.
  std::int64_t backfill_seq(std::string_view backfill_id, std::string_view doing);
  /// Inserts the run as QUEUED.
  void insert_queued_run(const RunRecord& run, std::string_view doing);

  SqliteStorage& storage_;
};

}  // namespace cairn
