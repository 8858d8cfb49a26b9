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
  /// Throws NotFoundError if the run does not exist.
  void request_cancel(std::string_view run_id) override;
  /// Throws NotFoundError if the run does not exist.
  bool is_cancel_requested(std::string_view run_id) override;
  /// Checkpoints the WAL into the database file without waiting for readers, fsyncs the WAL if
  /// readers kept part of it from being checkpointed, and fsyncs the directory.
  void sync() override;
  /// The tracking tables of the same database, on the same connection.
  TrackingStore& tracking() override;

  /// The database file.
  const std::filesystem::path& path() const { return path_; }

 private:
  friend class SqliteTrackingStore;  // shares the connection, its mutex and statement cache
  class Query;
  class Transaction;

  SqliteStorage(std::filesystem::path path, sqlite3* db);
  /// The cached statement for `sql`, prepared on first use. Requires mutex_.
  sqlite3_stmt* statement(std::string_view sql);

  const std::filesystem::path path_;
  std::mutex mutex_;  // guards db_ (and every statement prepared on it) and statements_
  sqlite3* db_;       // owned; closed by the destructor
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;  // owned; keyed by their SQL
  const std::unique_ptr<SqliteTrackingStore> tracking_;
};

}  // namespace cairn
