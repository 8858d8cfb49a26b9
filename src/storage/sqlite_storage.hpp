#pragma once
// The SQLite backend of Storage: one database file under the instance home (docs/storage.md).
//
// Design: one connection per SqliteStorage, serialized by a mutex, with prepared statements
// cached for its lifetime. The database runs in WAL mode with synchronous=NORMAL: a commit is a
// sequential append to the WAL without an fsync, so it survives a crash of the process but not
// of the machine until sync(); readers (in this or another process) never block the writer and
// see every committed transaction. Throughput comes from batching: BatchedEventWriter commits
// thousands of events per transaction.
// Rejected: a pool of connections for parallel reads — the engine has one writer and its reads
// are short, so a second connection would buy little and cost a second statement cache;
// synchronous=FULL — an fsync per commit caps a run at a few hundred commits per second on
// ordinary disks and buys nothing against process crashes, the failure that matters per run.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/storage.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace cairn {

class SqliteAutomationStore;
class SqliteTrackingStore;

/// Storage in a SQLite database file.
///
/// Thread safety: every method may be called from any thread; calls are serialized. Several
/// processes may open the same file at once (SQLite's file locks serialize their writes; a
/// writer waits up to 5 s for another process's transaction before failing). A forked child must
/// open its own SqliteStorage rather than use its parent's.
class SqliteStorage final : public Storage {
 public:
  /// Opens `db_file`, creating it if it does not exist, and migrates its schema to
  /// kCurrentSchemaVersion. The directory must exist. Throws StorageError, naming the file, if it
  /// cannot be opened or written, is not a cairn database (it is then left untouched), or has a
  /// schema newer than this build (also left untouched).
  ///
  /// @code
  ///   auto storage = cairn::SqliteStorage::open(home / "cairn.db");
  ///   storage->add_run(run);
  ///   std::vector<cairn::Event> events = {...};
  ///   storage->append_events(events);  // events[i].id is now set
  /// @endcode
  static std::unique_ptr<SqliteStorage> open(const std::filesystem::path& db_file);

  ~SqliteStorage() override;
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;

  /// Throws StorageError if a run with the same id exists.
  void add_run(const RunRecord& run) override;
  /// On failure nothing is written and the events' ids are left as they were. Throws
  /// StorageError if an event's run was not added with add_run.
  void append_events(std::vector<Event>& events) override;
  std::optional<RunRecord> get_run(std::string_view run_id) override;
  /// A filter limit of 0 or less means no limit.
  std::vector<RunRecord> list_runs(const RunFilter& filter) override;
  /// Sorted by id.
  std::vector<std::string> find_run_ids(std::string_view prefix, int limit) override;
  std::vector<RunRecord> unfinished_runs() override;
  /// A filter limit of 0 or less means no limit.
  std::vector<Event> run_events(std::string_view run_id, const EventFilter& filter) override;
  std::optional<MaterializationRecord> latest_materialization(
      std::string_view asset_key, std::string_view partition_key) override;
  /// Sorted by asset key, then partition key.
  std::vector<MaterializationRecord> latest_materializations() override;
  /// Sorted by asset key, then partition key.
  std::vector<AssetVersionRecord> asset_versions() override;
  std::vector<AssetVersionRecord> asset_versions_after(std::int64_t after_event_id) override;
  /// Sorted by asset key, then partition key.
  std::vector<ObservationRecord> latest_observations() override;
  /// Found through the index of events by type, not by reading every observation.
  std::vector<ObservationRecord> observations_after(std::int64_t after_event_id) override;
  /// Sorted by asset key, partition key, then check name.
  std::vector<CheckRecord> latest_check_results(std::string_view asset_key) override;
  /// A filter limit of 0 or less means no limit. Materializations, observations and check
  /// evaluations are found through an index; asking for any other type reads every event of
  /// the instance.
  std::vector<Event> asset_history(std::string_view asset_key,
                                   const AssetHistoryFilter& filter) override;
  /// No types: events of every type. A limit of 0 or less means no limit. Types other than
  /// LOG, STEP_START, STEP_SUCCESS and STEP_INPUT_LOADED are found through an index; asking for
  /// one of those four reads every event after `after_id`.
  std::vector<Event> events_after(std::int64_t after_id, std::span<const EventType> types,
                                  int limit) override;
  std::int64_t last_event_id() override;
  std::vector<std::string> dynamic_partition_keys(std::string_view name) override;
  /// Throws StorageError if the name or a key is empty.
  std::vector<std::string> add_dynamic_partitions(std::string_view name,
                                                  const std::vector<std::string>& keys) override;
  std::vector<std::string> delete_dynamic_partitions(std::string_view name,
                                                     const std::vector<std::string>& keys) override;
  /// Sets in name order; keys in the order they were added.
  std::map<std::string, std::vector<std::string>> all_dynamic_partitions() override;
  void claim_run(std::string_view run_id, const std::string& host, std::int64_t pid,
                 const std::vector<std::string>& step_keys) override;
  /// Throws NotFoundError if the run does not exist.
  void request_cancel(std::string_view run_id) override;
  /// Throws NotFoundError if the run does not exist.
  bool is_cancel_requested(std::string_view run_id) override;
  /// Checkpoints the WAL into the database file without waiting for readers, fsyncs the WAL if
  /// readers kept part of it from being checkpointed, and fsyncs the directory.
  void sync() override;
  /// The tracking tables of the same database, on the same connection.
  TrackingStore& tracking() override;
  /// The automation tables of the same database, on the same connection.
  AutomationStore& automation() override;

  /// The database file.
  const std::filesystem::path& path() const { return path_; }

 private:
  // Share the connection, its mutex and statement cache.
  friend class SqliteTrackingStore;
  friend class SqliteAutomationStore;
  class Query;
  class Transaction;

  SqliteStorage(std::filesystem::path path, sqlite3* db);
  /// The cached statement for `sql`, prepared on first use. Requires mutex_.
  sqlite3_stmt* statement(std::string_view sql);

  // Each helper below requires mutex_; the writing ones run inside the caller's transaction.

  /// Inserts the run and its tags. Throws StorageError if a run with its id exists.
  void insert_run(const RunRecord& run, std::string_view doing);
  /// Adds the keys not yet in set `name`; returns those it added.
  std::vector<std::string> insert_dynamic_partitions(std::string_view name,
                                                     const std::vector<std::string>& keys,
                                                     double added_at, std::string_view doing);
  /// Upserts the observation index entry of an ASSET_OBSERVATION event with id `id`.
  void index_observation(const Event& event, std::int64_t id, std::string_view doing);
  /// Upserts the check index entry of an ASSET_CHECK_EVALUATION event with id `id`.
  void index_check(const Event& event, std::int64_t id, std::string_view doing);
  /// "SELECT <the run columns> FROM runs " followed by `rest`; read the rows with read_run().
  static std::string select_runs(std::string_view rest);
  RunRecord read_run(const Query& q) const;

  const std::filesystem::path path_;
  std::mutex mutex_;  // guards db_ (and every statement prepared on it) and statements_
  sqlite3* db_;       // owned; closed by the destructor
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;  // owned; keyed by their SQL
  const std::unique_ptr<SqliteTrackingStore> tracking_;
  const std::unique_ptr<SqliteAutomationStore> automation_;
};

}  // namespace cairn
