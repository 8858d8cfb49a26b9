#include "storage/instance.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"

namespace cairn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class InstanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_.path();
    home_ = dir_ / "home";
  }

  testing::ScratchDir scratch_;
  std::filesystem::path dir_;
  std::filesystem::path home_;
};

Event make_event(const std::string& run_id, EventType type, const std::string& step_key = "") {
  Event event;
  event.run_id = run_id;
  event.type = type;
  event.step_key = step_key;
  event.asset_key = step_key;
  event.timestamp = 100;
  return event;
}

RunRecord run_with_id(const std::string& run_id) {
  RunRecord run;
  run.run_id = run_id;
  run.root_run_id = run_id;
  return run;
}

/// Adds a STARTED run owned by `host`, with `open_steps` started and not finished.
void add_started_run(Storage& storage, const std::string& run_id, const std::string& host,
                     const std::vector<std::string>& open_steps = {}) {
  RunRecord run;
  run.run_id = run_id;
  run.root_run_id = run_id;
  run.host = host;
  run.pid = 12345;
  storage.add_run(run);
  std::vector<Event> events = {make_event(run_id, EventType::kRunStarting),
                               make_event(run_id, EventType::kRunStart)};
  for (const auto& step : open_steps)
    events.push_back(make_event(run_id, EventType::kStepStart, step));
  storage.append_events(events);
}

std::vector<std::string> event_types(Storage& storage, const std::string& run_id) {
  std::vector<std::string> types;
  for (const Event& event : storage.run_events(run_id, {})) {
    types.emplace_back(to_string(event.type));
    if (!event.step_key.empty()) types.back() += " " + event.step_key;
  }
  return types;
}

int wait_for(pid_t child) {
  int status = 0;
  EXPECT_EQ(::waitpid(child, &status, 0), child);
  return status;
}

TEST_F(InstanceTest, DefaultHomeIsCairnHomeOrDotCairn) {
  const char* saved = std::getenv("CAIRN_HOME");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::setenv("CAIRN_HOME", "/data/cairn", 1);
  EXPECT_EQ(Instance::default_home(), "/data/cairn");
  ::setenv("CAIRN_HOME", "", 1);
  EXPECT_EQ(Instance::default_home(), "./.cairn");
  ::unsetenv("CAIRN_HOME");
  EXPECT_EQ(Instance::default_home(), "./.cairn");
  if (saved != nullptr) ::setenv("CAIRN_HOME", saved_value.c_str(), 1);
}

TEST_F(InstanceTest, OpenCreatesTheLayout) {
  auto instance = Instance::open(home_);
  EXPECT_EQ(instance->home(), home_);
  EXPECT_EQ(instance->values_dir(), home_ / "storage");
  EXPECT_TRUE(std::filesystem::is_directory(home_ / "storage"));
  EXPECT_TRUE(std::filesystem::is_directory(home_ / "runs"));
  EXPECT_TRUE(std::filesystem::is_regular_file(home_ / "cairn.db"));
  instance->storage().add_run(run_with_id("r1"));
  instance->sync();
  EXPECT_TRUE(Instance::open(home_)->storage().get_run("r1"));
}

// Regression: two commands opening a fresh instance at once raced on SQLite's switch to WAL
// mode, which answers "database is locked" without waiting; one of them exited with code 3.
TEST_F(InstanceTest, ManyProcessesCanOpenAFreshInstanceTogether) {
  constexpr int kRounds = 10;
  constexpr int kProcesses = 12;
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::filesystem::path home = dir_ / ("fresh-" + std::to_string(round));
    int gate[2];
    ASSERT_EQ(pipe(gate), 0);
    std::vector<pid_t> children;
    for (int i = 0; i < kProcesses; ++i) {
      pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        // Every child blocks here until the parent closes the pipe, so all open at once.
        close(gate[1]);
        char byte;
        (void)!read(gate[0], &byte, 1);
        try {
          Instance::open(home)->storage().list_runs({});
          _exit(0);
        } catch (...) {
          _exit(1);
        }
      }
      children.push_back(pid);
    }
    close(gate[0]);
    close(gate[1]);
    for (pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST_F(InstanceTest, HomeUnderARegularFileIsReportedWithTheFix) {
  std::ofstream(dir_ / "file") << "x";
  const auto home = dir_ / "file" / "home";
  try {
    Instance::open(home);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(home.string()));
    EXPECT_THAT(e.what(), HasSubstr("set CAIRN_HOME to a writable directory"));
  }
}

TEST_F(InstanceTest, UnwritableHomeIsReportedWithTheFix) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root, which ignores permission bits; "
                    "HomeUnderARegularFileIsReportedWithTheFix covers the error path";
  }
  std::filesystem::create_directories(home_);
  std::filesystem::permissions(home_, std::filesystem::perms(0500));
  try {
    Instance::open(home_);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(home_.string()));
    EXPECT_THAT(e.what(), HasSubstr("set CAIRN_HOME to a writable directory"));
  }
  std::filesystem::permissions(home_, std::filesystem::perms::owner_all);
}

TEST_F(InstanceTest, RunLockIsExclusiveMovableAndRemovedOnRelease) {
  auto instance = Instance::open(home_);
  const auto lock_file = home_ / "runs" / "r1.lock";
  {
    Instance::RunLock lock = instance->acquire_run_lock("r1");
    EXPECT_EQ(lock.path(), lock_file);
    EXPECT_TRUE(std::filesystem::exists(lock_file));
    try {
      instance->acquire_run_lock("r1");
      FAIL() << "expected StorageError";
    } catch (const StorageError& e) {
      EXPECT_THAT(e.what(), HasSubstr("already being executed by another process"));
    }
    Instance::RunLock moved = std::move(lock);
    EXPECT_THROW(instance->acquire_run_lock("r1"), StorageError);
    Instance::RunLock other = instance->acquire_run_lock("r2");
    other = std::move(moved);  // releases r2, now holds r1
    EXPECT_FALSE(std::filesystem::exists(home_ / "runs" / "r2.lock"));
    EXPECT_THROW(instance->acquire_run_lock("r1"), StorageError);
  }
  EXPECT_FALSE(std::filesystem::exists(lock_file));
  EXPECT_NO_THROW(instance->acquire_run_lock("r1"));
}

TEST_F(InstanceTest, RunIdThatIsNotAFileNameIsRejected) {
  auto instance = Instance::open(home_);
  EXPECT_THROW(instance->acquire_run_lock("../escape"), StorageError);
  EXPECT_THROW(instance->acquire_run_lock(""), StorageError);
}

TEST_F(InstanceTest, RunLockIsReleasedWhenItsProcessIsKilled) {
  auto instance = Instance::open(home_);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only file operations: the child does not touch the parent's database connection.
    auto lock = instance->acquire_run_lock("r1");
    const char byte = 1;
    if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  EXPECT_THROW(instance->acquire_run_lock("r1"), StorageError);
  ::kill(child, SIGKILL);
  wait_for(child);
  EXPECT_NO_THROW(instance->acquire_run_lock("r1"));
  ::close(ready[0]);
  ::close(ready[1]);
}

// The scenario of a `kill -9` during a run: the next process to open the instance records what
// happened, and keeps what the dead process completed.
TEST_F(InstanceTest, RunOfAKilledProcessIsFailedOnNextOpen) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      auto instance = Instance::open(home_);
      auto lock = instance->acquire_run_lock("dead1");
      RunRecord run;
      run.run_id = "dead1";
      run.root_run_id = "dead1";
      run.step_keys = {"a", "b"};
      run.host = local_hostname();
      run.pid = ::getpid();
      instance->storage().add_run(run);
      Event start_b = make_event("dead1", EventType::kStepStart, "b");
      start_b.payload_json = R"({"attempt":2})";
      Event materialization = make_event("dead1", EventType::kAssetMaterialization, "a");
      materialization.payload_json = R"({"uri":"file:///a.value"})";
      std::vector<Event> events = {make_event("dead1", EventType::kRunStarting),
                                   make_event("dead1", EventType::kRunStart),
                                   make_event("dead1", EventType::kStepStart, "a"),
                                   start_b,
                                   materialization,
                                   make_event("dead1", EventType::kStepSuccess, "a")};
      instance->storage().append_events(events);
      ::raise(SIGKILL);
    } catch (...) {
    }
    ::_exit(1);
  }
  const int status = wait_for(child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  ASSERT_TRUE(std::filesystem::exists(home_ / "runs" / "dead1.lock"));

  auto instance = Instance::open(home_);
  Storage& storage = instance->storage();
  const auto run = storage.get_run("dead1");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::kFailure);
  EXPECT_GT(run->ended_at, 0);
  EXPECT_EQ(run->failure_reason,
            "the process running this run (pid " + std::to_string(child) + " on " +
                local_hostname() +
                ") exited without finishing it (killed or crashed); completed steps are kept, "
                "re-execute it with `runs reexecute dead1 --from-failure`");
  EXPECT_THAT(
      event_types(storage, "dead1"),
      ElementsAre("RUN_STARTING", "RUN_START", "STEP_START a", "STEP_START b",
                  "ASSET_MATERIALIZATION a", "STEP_SUCCESS a", "STEP_FAILURE b", "RUN_FAILURE"));
  EventFilter step_b;
  step_b.step_key = "b";
  const Event lost = storage.run_events("dead1", step_b).back();
  EXPECT_EQ(lost.asset_key, "b");
  EXPECT_EQ(lost.level, LogLevel::kError);
  EXPECT_THAT(lost.message, HasSubstr("died while the step was running"));
  const auto payload = nlohmann::json::parse(lost.payload_json);
  EXPECT_EQ(payload["kind"], "lost");
  EXPECT_EQ(payload["attempt"], 2);

  const auto kept = storage.latest_materialization("a", "");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->run_id, "dead1");
  EXPECT_FALSE(std::filesystem::exists(home_ / "runs" / "dead1.lock"));
  EXPECT_THAT(instance->recover_dead_runs(), IsEmpty());
  EXPECT_EQ(event_types(storage, "dead1").size(), 8u);
}

TEST_F(InstanceTest, RunWhoseLockIsHeldIsNotRecovered) {
  auto instance = Instance::open(home_);
  {
    auto lock = instance->acquire_run_lock("live");
    add_started_run(instance->storage(), "live", local_hostname(), {"a"});
    EXPECT_THAT(instance->recover_dead_runs(), IsEmpty());
    EXPECT_EQ(instance->storage().get_run("live")->status, RunStatus::kStarted);
    EXPECT_TRUE(std::filesystem::exists(lock.path()));
  }
  // Once the lock is gone the same run counts as dead.
  EXPECT_THAT(instance->recover_dead_runs(), ElementsAre("live"));
  EXPECT_EQ(instance->storage().get_run("live")->status, RunStatus::kFailure);
}

TEST_F(InstanceTest, RunWithoutALockFileIsRecoveredAndOtherHostsAreLeftAlone) {
  auto instance = Instance::open(home_);
  add_started_run(instance->storage(), "orphan", local_hostname(), {"a", "b"});
  add_started_run(instance->storage(), "remote", "another-host-" + local_hostname(), {"a"});
  EXPECT_THAT(instance->recover_dead_runs(), ElementsAre("orphan"));
  EXPECT_THAT(event_types(instance->storage(), "orphan"),
              ElementsAre("RUN_STARTING", "RUN_START", "STEP_START a", "STEP_START b",
                          "STEP_FAILURE a", "STEP_FAILURE b", "RUN_FAILURE"));
  EXPECT_EQ(instance->storage().get_run("remote")->status, RunStatus::kStarted);
  EXPECT_THAT(instance->recover_dead_runs(), IsEmpty());
}

TEST_F(InstanceTest, ConcurrentRecoveriesAppendOneFailurePerRun) {
  constexpr int kRuns = 20;
  constexpr int kProcesses = 4;
  {
    auto instance = Instance::open(home_);
    for (int i = 0; i < kRuns; ++i) {
      add_started_run(instance->storage(), "dead" + std::to_string(i), local_hostname(), {"a"});
    }
  }
  // The children open the instance only after the parent closed its connection: SQLite state
  // must not cross a fork.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(go[1]);
      char byte = 0;
      (void)!::read(go[0], &byte, 1);  // returns 0 when the parent closes the pipe: all start
      int code = 0;
      try {
        Instance::open(home_);
      } catch (...) {
        code = 1;
      }
      ::_exit(code);
    }
    children.push_back(child);
  }
  ::close(go[0]);
  ::close(go[1]);
  for (pid_t child : children) {
    const int status = wait_for(child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  auto instance = Instance::open(home_);
  for (int i = 0; i < kRuns; ++i) {
    const std::string run_id = "dead" + std::to_string(i);
    EXPECT_THAT(
        event_types(instance->storage(), run_id),
        ElementsAre("RUN_STARTING", "RUN_START", "STEP_START a", "STEP_FAILURE a", "RUN_FAILURE"))
        << run_id;
  }
}

TEST_F(InstanceTest, ResolveRunIdByIdOrUniquePrefix) {
  auto instance = Instance::open(home_);
  for (const char* id : {"abc", "3f9a1c00", "3f9a2d11", "3f9b0000"}) {
    instance->storage().add_run(run_with_id(id));
  }
  EXPECT_EQ(instance->resolve_run_id("abc"), "abc");
  EXPECT_EQ(instance->resolve_run_id("3f9a1c00"), "3f9a1c00");
  EXPECT_EQ(instance->resolve_run_id("3f9a1"), "3f9a1c00");
  EXPECT_EQ(instance->resolve_run_id("3f9b"), "3f9b0000");
  try {
    instance->resolve_run_id("3f9a");
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'3f9a' is ambiguous, matches: 3f9a1c00, 3f9a2d11"));
  }
  try {
    instance->resolve_run_id("3f9");
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no run with id '3f9'"));
    EXPECT_THAT(e.what(), HasSubstr("at least 4 characters"));
  }
  try {
    instance->resolve_run_id("ffff");
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("no run with id 'ffff'; `runs list` shows the runs of this instance"));
  }
}

}  // namespace
}  // namespace cairn
