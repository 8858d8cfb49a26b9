#include "storage/instance.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "cairn/error.hpp"
#include "core/clock.hpp"
#include "core/id_prefix.hpp"
#include "storage/sqlite_storage.hpp"

namespace cairn {

namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

/// Creates `dir` (and its parents) and checks that a file can be created in it: permission bits
/// alone do not say (ACLs, read-only mounts, root).
void ensure_writable_directory(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    throw StorageError("cannot create the instance directory " + dir.string() + ": " +
                       error.message() + "; set CAIRN_HOME to a writable directory");
  }
  const std::filesystem::path probe = dir / (".write-test-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw StorageError("the instance directory " + dir.string() + " is not writable: " +
                       errno_text(errno) + "; set CAIRN_HOME to a writable directory");
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

/// Lock files are named after the run id, so an id must be a plain file name.
void check_run_id_is_file_name(const std::string& run_id) {
  if (run_id.empty() || run_id == "." || run_id == ".." ||
      run_id.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
    throw StorageError("invalid run id '" + run_id + "': a run id must be a plain file name");
  }
}

double now_seconds() {
  return to_epoch_seconds(std::chrono::system_clock::now());
}

}  // namespace

std::string local_hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) {
    throw StorageError("cannot read this machine's host name: " + errno_text(errno));
  }
  return name;
}

Instance::RunLock::RunLock(RunLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

Instance::RunLock& Instance::RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Instance::RunLock::~RunLock() {
  release();
}

void Instance::RunLock::release() noexcept {
  if (fd_ < 0) return;
  // Unlink while still holding the lock: a process that opened the old file and then gets the
  // lock sees that the path no longer names its file and retries (try_lock_run).
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

std::string Instance::default_home() {
  const char* home = std::getenv("CAIRN_HOME");
  return home != nullptr && *home != '\0' ? home : "./.cairn";
}

namespace {

// Held while the database is opened: switching a new database to WAL mode and running
// migrations need the file to themselves, and SQLite does not wait for the journal-mode switch
// (it answers "database is locked" at once), so two commands opening a fresh instance together
// would otherwise race.
class OpenLock {
 public:
  explicit OpenLock(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) {
      throw StorageError("cannot open " + path.string() + ": " + errno_text(errno) +
                         "; set CAIRN_HOME to a writable directory");
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int error = errno;
        ::close(fd_);
        throw StorageError("cannot lock " + path.string() + ": " + errno_text(error));
      }
    }
  }
  ~OpenLock() { ::close(fd_); }
  OpenLock(const OpenLock&) = delete;
  OpenLock& operator=(const OpenLock&) = delete;

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<Instance> Instance::open(std::filesystem::path home) {
  home = std::filesystem::absolute(home);
  for (const auto& dir : {home, home / "storage", home / "runs", home / "artifacts"}) {
    ensure_writable_directory(dir);
  }
  std::unique_ptr<SqliteStorage> storage;
  {
    OpenLock lock(home / "open.lock");
    storage = SqliteStorage::open(home / "cairn.db");
  }
  std::unique_ptr<Instance> instance(new Instance(home, std::move(storage)));
  instance->recover_dead_runs();
  return instance;
}

Instance::Instance(std::filesystem::path home, std::unique_ptr<SqliteStorage> storage)
    : home_(std::move(home)), storage_(std::move(storage)) {}

Instance::~Instance() = default;

Storage& Instance::storage() {
  return *storage_;
}

std::optional<Instance::RunLock> Instance::try_lock_run(const std::string& run_id) {
  check_run_id_is_file_name(run_id);
  std::filesystem::path path = home_ / "runs" / (run_id + ".lock");
  for (;;) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw StorageError("cannot open the run lock file " + path.string() + ": " +
                         errno_text(errno) + "; set CAIRN_HOME to a writable directory");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) return std::nullopt;
      throw StorageError("cannot lock the run lock file " + path.string() + ": " +
                         errno_text(error));
    }
    // The previous holder may have removed the file between our open() and flock(); a lock on
    // a removed file excludes nobody, so start again with the file the path names now.
    struct stat locked {};
    struct stat current {};
    if (::fstat(fd, &locked) == 0 && ::stat(path.c_str(), &current) == 0 &&
        locked.st_dev == current.st_dev && locked.st_ino == current.st_ino) {
      return RunLock(std::move(path), fd);
    }
    ::close(fd);
  }
}

Instance::RunLock Instance::acquire_run_lock(const std::string& run_id) {
  std::optional<RunLock> lock = try_lock_run(run_id);
  if (!lock) {
    throw StorageError("run '" + run_id + "' is already being executed by another process (it " +
                       "holds " + (home_ / "runs" / (run_id + ".lock")).string() + ")");
  }
  return std::move(*lock);
}

std::vector<std::string> Instance::recover_dead_runs() {
  const std::string host = local_hostname();
  std::vector<std::string> recovered;
  for (const RunRecord& candidate : storage_->unfinished_runs()) {
    if (candidate.host != host) continue;  // its lock is on another machine's view of the files
    const std::optional<RunLock> lock = try_lock_run(candidate.run_id);
    if (!lock) continue;  // its process is alive
    // Holding the lock, re-read: the run may have finished, or been recovered by another
    // process, since unfinished_runs() was read.
    const std::optional<RunRecord> run = storage_->get_run(candidate.run_id);
    if (!run || is_finished(run->status)) continue;
    fail_dead_run(*run, "the process running this run (pid " + std::to_string(run->pid) + " on " +
                            run->host +
                            ") exited without finishing it (killed or crashed); completed "
                            "steps are kept, re-execute it with `runs reexecute " +
                            run->run_id + " --from-failure`");
    recovered.push_back(run->run_id);
  }
  return recovered;
}

bool Instance::fail_lost_run(std::string_view run_id, const std::string& reason) {
  const std::optional<RunRecord> candidate = storage_->get_run(run_id);
  if (!candidate || is_finished(candidate->status)) return false;
  std::optional<RunLock> lock;
  if (candidate->host == local_hostname()) {
    lock = try_lock_run(candidate->run_id);
    if (!lock) return false;  // its process is alive
  }
  const std::optional<RunRecord> run = storage_->get_run(run_id);
  if (!run || is_finished(run->status)) return false;
  fail_dead_run(*run, reason);
  return true;
}

void Instance::fail_dead_run(const RunRecord& run, const std::string& reason) {
  // The latest STEP_START of each step not followed by a terminal event of that step.
  std::map<std::string, Event> running;
  for (Event& event : storage_->run_events(run.run_id, {})) {
    if (event.type == EventType::kStepStart) {
      std::string step_key = event.step_key;
      running.insert_or_assign(std::move(step_key), std::move(event));
    } else if (is_step_terminal(event.type)) {
      running.erase(event.step_key);
    }
  }
  std::vector<const Event*> starts;
  for (const auto& [step_key, start] : running) starts.push_back(&start);
  std::sort(starts.begin(), starts.end(),
            [](const Event* a, const Event* b) { return a->id < b->id; });

  const std::string process =
      "the process running this run (pid " + std::to_string(run.pid) + " on " + run.host + ")";
  const double now = now_seconds();
  std::vector<Event> events;
  for (const Event* start : starts) {
    nlohmann::json payload = {{"kind", "lost"}};
    const auto start_payload = nlohmann::json::parse(start->payload_json, nullptr, false);
    if (start_payload.is_object() && start_payload.contains("attempt")) {
      payload["attempt"] = start_payload["attempt"];
    }
    Event failure;
    failure.run_id = run.run_id;
    failure.timestamp = now;
    failure.type = EventType::kStepFailure;
    failure.step_key = start->step_key;
    failure.asset_key = start->asset_key;
    failure.partition_key = start->partition_key;
    failure.level = LogLevel::kError;
    failure.message = process + " died while the step was running";
    failure.payload_json = payload.dump();
    events.push_back(std::move(failure));
  }
  Event run_failure;
  run_failure.run_id = run.run_id;
  run_failure.timestamp = now;
  run_failure.type = EventType::kRunFailure;
  run_failure.level = LogLevel::kError;
  run_failure.message = reason;
  events.push_back(std::move(run_failure));
  storage_->append_events(events);
  storage_->tracking().end_tracking_runs_of_run(run.run_id, tracking::TrackingRunStatus::kFailed,
                                                now);
  storage_->automation().release_pool_slots_of_run(run.run_id);
}

std::string Instance::resolve_run_id(std::string_view id_or_prefix) {
  return resolve_id_prefix(
      id_or_prefix, {"run", "`runs list` shows the runs of this instance",
                     [this](const std::string& id) { return storage_->get_run(id).has_value(); },
                     [this](const std::string& prefix, int limit) {
                       return storage_->find_run_ids(prefix, limit);
                     }});
}

void Instance::sync() {
  storage_->sync();
  const int fd = ::open(home_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throw StorageError("cannot open the instance directory " + home_.string() +
                       " to sync it: " + errno_text(errno));
  }
  const int rc = ::syncfs(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) {
    throw StorageError("cannot sync the filesystem of " + home_.string() + ": " +
                       errno_text(error));
  }
}

}  // namespace cairn
