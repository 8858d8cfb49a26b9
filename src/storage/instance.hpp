#pragma once
// The instance: the durable home directory of cairn's runs, events and values
// (docs/storage.md, "Instance layout").
//
//   $CAIRN_HOME/            default ./.cairn
//     cairn.db              the SQLite database (runs, events, asset index)
//     storage/              values written by IO managers
//     artifacts/            files of tracking runs and model versions (docs/tracking.md)
//     runs/<run id>.lock    held (flock) by the process executing the run
//
// Dead-process detection uses the run lock rather than the pid: the kernel releases a flock when
// its process dies, however it dies, while a pid can be reused by an unrelated process.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/storage.hpp"

namespace cairn {

class SqliteStorage;

/// This machine's host name, as recorded in RunRecord::host by the process that owns a run.
std::string local_hostname();

/// An open instance directory and its storage.
///
/// Thread safety: every method may be called from any thread (storage() is thread safe).
/// Ownership: the Instance owns its Storage; a RunLock must not outlive the Instance's directory.
class Instance {
 public:
  /// An exclusive lock on one run, released (and its lock file removed) on destruction, or by
  /// the kernel if the process dies. Movable, not copyable.
  class RunLock {
   public:
    RunLock(RunLock&& other) noexcept;
    RunLock& operator=(RunLock&& other) noexcept;
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    /// The lock file.
    const std::filesystem::path& path() const { return path_; }

   private:
    friend class Instance;
    RunLock(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
    void release() noexcept;

    std::filesystem::path path_;
    int fd_ = -1;  // owned; -1 once released or moved from
  };

  /// $CAIRN_HOME if it is set and not empty, else "./.cairn".
  static std::string default_home();

  /// Opens the instance at `home`, creating the directory layout and the database if needed,
  /// then recovers the runs whose process died (recover_dead_runs()). Throws StorageError naming
  /// the path and the fix if a directory cannot be created or written, or the database cannot
  /// be opened.
  ///
  /// @code
  ///   auto instance = cairn::Instance::open(cairn::Instance::default_home());
  ///   auto lock = instance->acquire_run_lock(run.run_id);  // before the run becomes STARTING
  ///   instance->storage().add_run(run);
  /// @endcode
  static std::unique_ptr<Instance> open(std::filesystem::path home);

  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  Storage& storage();
  /// The home directory, made absolute when the instance was opened.
  const std::filesystem::path& home() const { return home_; }
  /// Where IO managers write values: home/storage.
  std::filesystem::path values_dir() const { return home_ / "storage"; }
  /// The artifact root of experiment tracking and the model registry: home/artifacts.
  std::filesystem::path artifacts_dir() const { return home_ / "artifacts"; }

  /// Takes the run's lock without waiting. The process that executes a run must hold it for the
  /// run's whole life, taken before the run's RUN_STARTING event: a STARTING or STARTED run of
  /// this host whose lock is free is taken for dead. The lock file is opened O_CLOEXEC, so
  /// processes started with exec do not inherit it. Throws StorageError if another process (or
  /// another RunLock of this one) holds it, or if `run_id` cannot name a file.
  RunLock acquire_run_lock(const std::string& run_id);

  /// Fails every unfinished run (STARTING or STARTED) of this host whose lock is free: each step
  /// started and not finished gets a STEP_FAILURE of kind "lost", then the run a RUN_FAILURE
  /// saying its process died, in one append; then its RUNNING tracking runs become FAILED.
  /// Runs of other hosts are left alone. Safe when
  /// several processes recover at once: a run is recovered while holding its lock, after
  /// re-reading its status. Returns the ids of the runs recovered.
  std::vector<std::string> recover_dead_runs();

  /// Fails the unfinished run `run_id` whose process is taken for lost (the run monitor: its
  /// heartbeat stopped), the way recover_dead_runs() fails a dead one, with `reason` as the
  /// RUN_FAILURE message, and frees its pool slots. A run of this host whose lock is held is
  /// alive whatever its heartbeat says, and is left alone; so is a run that finished meanwhile.
  /// Returns whether the run was failed.
  bool fail_lost_run(std::string_view run_id, const std::string& reason);

  /// The id of the run named by `id_or_prefix`: an exact id, or a prefix of at least 4
  /// characters matching exactly one run. Throws NotFoundError if nothing matches or the prefix
  /// is ambiguous (the message lists the matches).
  std::string resolve_run_id(std::string_view id_or_prefix);

  /// Makes everything committed and every value file written so far durable against power loss:
  /// syncs the database, then the filesystem holding the home directory.
  void sync();

 private:
  Instance(std::filesystem::path home, std::unique_ptr<SqliteStorage> storage);
  /// The run's lock if it is free; nullopt if another open file description holds it.
  std::optional<RunLock> try_lock_run(const std::string& run_id);
  /// Appends the lost-step failures and the run failure (message `reason`) of a run whose
  /// process died, ends its tracking runs and frees its pool slots.
  void fail_dead_run(const RunRecord& run, const std::string& reason);

  const std::filesystem::path home_;
  const std::unique_ptr<SqliteStorage> storage_;
};

}  // namespace cairn
