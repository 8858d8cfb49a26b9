#include "storage/sqlite_storage.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"
#include "storage/batched_event_writer.hpp"
#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_test_fixtures.hpp"

namespace cairn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SqliteStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_.path();
    db_file_ = dir_ / "cairn.db";
  }

  testing::ScratchDir scratch_;
  std::filesystem::path dir_;
  std::filesystem::path db_file_;
};

RunRecord make_run(const std::string& id, double created_at = 1.0) {
  RunRecord run;
  run.run_id = id;
  run.job_name = "daily";
  run.selection = "credit/*";
  run.created_at = created_at;
  run.root_run_id = id;
  return run;
}

Event make_event(const std::string& run_id, EventType type, const std::string& step_key = "",
                 double timestamp = 10.0) {
  Event event;
  event.run_id = run_id;
  event.type = type;
  event.step_key = step_key;
  event.asset_key = step_key;
  event.timestamp = timestamp;
  return event;
}

RunFilter run_filter(std::optional<RunStatus> status = {}, std::string job_name = "",
                     std::map<std::string, std::string> tags = {}, int limit = 50, int offset = 0) {
  RunFilter filter;
  filter.status = status;
  filter.job_name = std::move(job_name);
  filter.tags = std::move(tags);
  filter.limit = limit;
  filter.offset = offset;
  return filter;
}

EventFilter event_filter(std::int64_t after_id, std::string step_key = "", int limit = 0) {
  EventFilter filter;
  filter.after_id = after_id;
  filter.step_key = std::move(step_key);
  filter.limit = limit;
  return filter;
}

void append(Storage& storage, std::vector<Event> events) {
  storage.append_events(events);
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

using testing::query;

TEST_F(SqliteStorageTest, RunRoundTripsEveryField) {
  auto storage = SqliteStorage::open(db_file_);
  RunRecord run;
  run.run_id = "r1";
  run.job_name = "daily";
  run.selection = "credit/*";
  run.status = RunStatus::kStarted;
  run.config_json = R"({"ops":{"a":1}})";
  run.tags = {{"owner", "ml"}, {"team", "risk"}};
  run.parent_run_id = "r0";
  run.root_run_id = "root";
  run.step_keys = {"credit/raw", "credit/features"};
  run.created_at = 1.5;
  run.started_at = 2.5;
  run.ended_at = 3.5;
  run.failure_reason = "boom";
  run.cancel_requested = true;
  run.host = "node7";
  run.pid = 4242;
  storage->add_run(run);

  auto stored = storage->get_run("r1");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->run_id, "r1");
  EXPECT_EQ(stored->job_name, "daily");
  EXPECT_EQ(stored->selection, "credit/*");
  EXPECT_EQ(stored->status, RunStatus::kStarted);
  EXPECT_EQ(stored->config_json, run.config_json);
  EXPECT_EQ(stored->tags, run.tags);
  EXPECT_EQ(stored->parent_run_id, "r0");
  EXPECT_EQ(stored->root_run_id, "root");
  EXPECT_EQ(stored->step_keys, run.step_keys);
  EXPECT_EQ(stored->created_at, 1.5);
  EXPECT_EQ(stored->started_at, 2.5);
  EXPECT_EQ(stored->ended_at, 3.5);
  EXPECT_EQ(stored->failure_reason, "boom");
  EXPECT_TRUE(stored->cancel_requested);
  EXPECT_EQ(stored->host, "node7");
  EXPECT_EQ(stored->pid, 4242);

  EXPECT_FALSE(storage->get_run("r2"));
}

TEST_F(SqliteStorageTest, AddingARunTwiceFails) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  try {
    storage->add_run(make_run("r1"));
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'r1' already exists"));
  }
}

TEST_F(SqliteStorageTest, EventsRoundTripWithIncreasingIds) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  Event log = make_event("r1", EventType::kLog, "credit/raw", 12.25);
  log.partition_key = "2024-01-01";
  log.level = LogLevel::kWarning;
  log.message = "low memory";
  log.payload_json = R"({"x":1})";
  std::vector<Event> events = {make_event("r1", EventType::kStepStart, "credit/raw"), log};
  storage->append_events(events);
  EXPECT_GT(events[0].id, 0);
  EXPECT_GT(events[1].id, events[0].id);

  std::vector<Event> more = {make_event("r1", EventType::kStepSuccess, "credit/raw")};
  storage->append_events(more);
  EXPECT_GT(more[0].id, events[1].id);

  auto stored = storage->run_events("r1", {});
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].id, events[0].id);
  EXPECT_EQ(stored[0].type, EventType::kStepStart);
  const Event& got = stored[1];
  EXPECT_EQ(got.id, events[1].id);
  EXPECT_EQ(got.run_id, "r1");
  EXPECT_EQ(got.timestamp, 12.25);
  EXPECT_EQ(got.type, EventType::kLog);
  EXPECT_EQ(got.step_key, "credit/raw");
  EXPECT_EQ(got.asset_key, "credit/raw");
  EXPECT_EQ(got.partition_key, "2024-01-01");
  EXPECT_EQ(got.level, LogLevel::kWarning);
  EXPECT_EQ(got.message, "low memory");
  EXPECT_EQ(got.payload_json, R"({"x":1})");
  EXPECT_EQ(stored[2].id, more[0].id);
}

TEST_F(SqliteStorageTest, EventsOfAnUnknownRunAreRejectedAndNothingIsWritten) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  std::vector<Event> events = {make_event("r1", EventType::kRunStart),
                               make_event("ghost", EventType::kLog)};
  try {
    storage->append_events(events);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ghost"));
    EXPECT_THAT(e.what(), HasSubstr("add_run"));
  }
  EXPECT_EQ(events[0].id, 0);
  EXPECT_TRUE(storage->run_events("r1", {}).empty());
  EXPECT_EQ(storage->get_run("r1")->status, RunStatus::kQueued);
}

TEST_F(SqliteStorageTest, RunStatusAndTimesFollowRunEvents) {
  auto storage = SqliteStorage::open(db_file_);
  for (const char* id : {"ok", "bad", "stopped"}) storage->add_run(make_run(id));

  append(*storage, {make_event("ok", EventType::kRunStarting, "", 1)});
  EXPECT_EQ(storage->get_run("ok")->status, RunStatus::kStarting);
  append(*storage, {make_event("ok", EventType::kRunStart, "", 2)});
  auto started = storage->get_run("ok");
  EXPECT_EQ(started->status, RunStatus::kStarted);
  EXPECT_EQ(started->started_at, 2);
  EXPECT_EQ(started->ended_at, 0);
  // Step and log events do not touch the run.
  append(*storage, {make_event("ok", EventType::kStepFailure, "a", 3),
                    make_event("ok", EventType::kLog, "", 4)});
  EXPECT_EQ(storage->get_run("ok")->status, RunStatus::kStarted);
  append(*storage, {make_event("ok", EventType::kRunSuccess, "", 5)});
  auto done = storage->get_run("ok");
  EXPECT_EQ(done->status, RunStatus::kSuccess);
  EXPECT_EQ(done->started_at, 2);
  EXPECT_EQ(done->ended_at, 5);
  EXPECT_EQ(done->failure_reason, "");

  Event failure = make_event("bad", EventType::kRunFailure, "", 7);
  failure.message = "step 'a' failed";
  append(*storage, {make_event("bad", EventType::kRunStart, "", 6), failure});
  auto failed = storage->get_run("bad");
  EXPECT_EQ(failed->status, RunStatus::kFailure);
  EXPECT_EQ(failed->ended_at, 7);
  EXPECT_EQ(failed->failure_reason, "step 'a' failed");

  append(*storage, {make_event("stopped", EventType::kRunCanceling, "", 8)});
  EXPECT_EQ(storage->get_run("stopped")->status, RunStatus::kQueued);
  append(*storage, {make_event("stopped", EventType::kRunCanceled, "", 9)});
  EXPECT_EQ(storage->get_run("stopped")->status, RunStatus::kCanceled);
  EXPECT_EQ(storage->get_run("stopped")->ended_at, 9);
}

TEST_F(SqliteStorageTest, AssetIndexKeepsTheLatestMaterialization) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  storage->add_run(make_run("r2"));
  auto materialization = [](const std::string& run, const std::string& asset,
                            const std::string& partition, double at, const std::string& uri) {
    Event event = make_event(run, EventType::kAssetMaterialization, asset, at);
    event.partition_key = partition;
    event.payload_json = R"({"uri":")" + uri + R"("})";
    return event;
  };
  std::vector<Event> first = {materialization("r1", "b", "", 1, "b1"),
                              materialization("r1", "a", "p1", 2, "a1"),
                              materialization("r1", "a", "p2", 3, "a2")};
  storage->append_events(first);
  std::vector<Event> second = {materialization("r2", "a", "p1", 4, "a1-new")};
  storage->append_events(second);

  auto latest = storage->latest_materialization("a", "p1");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->asset_key, "a");
  EXPECT_EQ(latest->partition_key, "p1");
  EXPECT_EQ(latest->run_id, "r2");
  EXPECT_EQ(latest->event_id, second[0].id);
  EXPECT_EQ(latest->timestamp, 4);
  EXPECT_EQ(latest->payload_json, R"({"uri":"a1-new"})");
  EXPECT_EQ(storage->latest_materialization("a", "p2")->run_id, "r1");
  EXPECT_FALSE(storage->latest_materialization("a", ""));
  EXPECT_FALSE(storage->latest_materialization("c", ""));

  std::vector<std::string> keys;
  for (const auto& record : storage->latest_materializations()) {
    keys.push_back(record.asset_key + "[" + record.partition_key + "]@" + record.run_id);
  }
  EXPECT_THAT(keys, ElementsAre("a[p1]@r2", "a[p2]@r1", "b[]@r1"));
}

TEST_F(SqliteStorageTest, ListRunsNewestFirstWithFilters) {
  auto storage = SqliteStorage::open(db_file_);
  for (int i = 1; i <= 5; ++i) {
    RunRecord run = make_run("r" + std::to_string(i), i);
    run.job_name = i % 2 == 0 ? "even" : "odd";
    run.tags = {{"team", i <= 3 ? "risk" : "growth"}, {"n", std::to_string(i)}};
    storage->add_run(run);
  }
  append(*storage,
         {make_event("r2", EventType::kRunStart), make_event("r3", EventType::kRunStart)});

  auto ids = [&](RunFilter filter) {
    std::vector<std::string> result;
    for (const auto& run : storage->list_runs(filter)) result.push_back(run.run_id);
    return result;
  };
  using Tags = std::map<std::string, std::string>;
  EXPECT_THAT(ids(run_filter()), ElementsAre("r5", "r4", "r3", "r2", "r1"));
  EXPECT_THAT(ids(run_filter(RunStatus::kStarted)), ElementsAre("r3", "r2"));
  EXPECT_THAT(ids(run_filter({}, "odd")), ElementsAre("r5", "r3", "r1"));
  EXPECT_THAT(ids(run_filter({}, "", Tags{{"team", "risk"}})), ElementsAre("r3", "r2", "r1"));
  EXPECT_THAT(ids(run_filter({}, "", Tags{{"team", "risk"}, {"n", "2"}})), ElementsAre("r2"));
  EXPECT_THAT(ids(run_filter({}, "", Tags{{"team", "nobody"}})), ElementsAre());
  EXPECT_THAT(ids(run_filter({}, "odd", Tags{{"team", "risk"}})), ElementsAre("r3", "r1"));
  EXPECT_THAT(ids(run_filter({}, "", {}, 2)), ElementsAre("r5", "r4"));
  EXPECT_THAT(ids(run_filter({}, "", {}, 2, 2)), ElementsAre("r3", "r2"));
  EXPECT_THAT(ids(run_filter({}, "", {}, 0, 3)), ElementsAre("r2", "r1"));
}

TEST_F(SqliteStorageTest, FindRunIdsByPrefix) {
  auto storage = SqliteStorage::open(db_file_);
  for (const char* id : {"abc1", "abc2", "abd3", "b"}) storage->add_run(make_run(id));
  EXPECT_THAT(storage->find_run_ids("abc", 10), ElementsAre("abc1", "abc2"));
  EXPECT_THAT(storage->find_run_ids("ab", 10), ElementsAre("abc1", "abc2", "abd3"));
  EXPECT_THAT(storage->find_run_ids("ab", 2), ElementsAre("abc1", "abc2"));
  EXPECT_THAT(storage->find_run_ids("abd3", 10), ElementsAre("abd3"));
  EXPECT_THAT(storage->find_run_ids("c", 10), ElementsAre());
  EXPECT_THAT(storage->find_run_ids("a%", 10), ElementsAre());
}

TEST_F(SqliteStorageTest, UnfinishedRunsAreStartingOrStarted) {
  auto storage = SqliteStorage::open(db_file_);
  for (const char* id : {"queued", "starting", "started", "done"}) storage->add_run(make_run(id));
  append(
      *storage,
      {make_event("starting", EventType::kRunStarting), make_event("started", EventType::kRunStart),
       make_event("done", EventType::kRunStart), make_event("done", EventType::kRunSuccess)});
  std::vector<std::string> ids;
  for (const auto& run : storage->unfinished_runs()) ids.push_back(run.run_id);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("starting", "started"));
}

TEST_F(SqliteStorageTest, RunEventsFilterByIdStepAndLimit) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  storage->add_run(make_run("r2"));
  std::vector<Event> events = {
      make_event("r1", EventType::kStepStart, "a"), make_event("r1", EventType::kStepStart, "b"),
      make_event("r2", EventType::kStepStart, "a"), make_event("r1", EventType::kStepSuccess, "a"),
      make_event("r1", EventType::kStepSuccess, "b")};
  storage->append_events(events);
  auto ids = [&](std::string_view run, EventFilter filter) {
    std::vector<std::int64_t> result;
    for (const auto& event : storage->run_events(run, filter)) result.push_back(event.id);
    return result;
  };
  EXPECT_THAT(ids("r1", {}), ElementsAre(events[0].id, events[1].id, events[3].id, events[4].id));
  EXPECT_THAT(ids("r2", {}), ElementsAre(events[2].id));
  EXPECT_THAT(ids("r1", event_filter(events[1].id)), ElementsAre(events[3].id, events[4].id));
  EXPECT_THAT(ids("r1", event_filter(0, "a")), ElementsAre(events[0].id, events[3].id));
  EXPECT_THAT(ids("r1", event_filter(events[0].id, "a")), ElementsAre(events[3].id));
  EXPECT_THAT(ids("r1", event_filter(0, "", 2)), ElementsAre(events[0].id, events[1].id));
  EXPECT_THAT(ids("none", {}), ElementsAre());
}

TEST_F(SqliteStorageTest, CancelRequestIsRecorded) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  EXPECT_FALSE(storage->is_cancel_requested("r1"));
  storage->request_cancel("r1");
  EXPECT_TRUE(storage->is_cancel_requested("r1"));
  EXPECT_TRUE(storage->get_run("r1")->cancel_requested);
  EXPECT_THROW(storage->request_cancel("ghost"), NotFoundError);
  EXPECT_THROW(storage->is_cancel_requested("ghost"), NotFoundError);
}

TEST_F(SqliteStorageTest, TakingOverAQueuedRunRecordsItsProcessAndSteps) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  storage->claim_run("r1", "worker-7", 4242, {"a", "b[2025-01-01]"});
  auto run = storage->get_run("r1");
  EXPECT_EQ(run->host, "worker-7");
  EXPECT_EQ(run->pid, 4242);
  EXPECT_EQ(run->step_keys, (std::vector<std::string>{"a", "b[2025-01-01]"}));
  EXPECT_THROW(storage->claim_run("ghost", "h", 1, {}), NotFoundError);
}

TEST_F(SqliteStorageTest, CommittedDataSurvivesSyncAndReopen) {
  {
    auto storage = SqliteStorage::open(db_file_);
    storage->add_run(make_run("r1"));
    append(*storage, {make_event("r1", EventType::kRunStart)});
    storage->sync();
    append(*storage, {make_event("r1", EventType::kRunSuccess)});
    storage->sync();
  }
  auto reopened = SqliteStorage::open(db_file_);
  EXPECT_EQ(reopened->get_run("r1")->status, RunStatus::kSuccess);
  EXPECT_EQ(reopened->run_events("r1", {}).size(), 2u);
}

TEST_F(SqliteStorageTest, SyncWhileAnotherConnectionReadsKeepsCommitsDurable) {
  auto storage = SqliteStorage::open(db_file_);
  storage->add_run(make_run("r1"));
  // A reader holding a snapshot keeps the checkpoint from copying later frames; sync() must
  // still succeed (it syncs the WAL itself).
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(db_file_.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM events;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  append(*storage, {make_event("r1", EventType::kRunStart)});
  EXPECT_NO_THROW(storage->sync());
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  EXPECT_EQ(query(db_file_, "SELECT count(*) FROM events"), "1");
}

TEST_F(SqliteStorageTest, UsableFromManyThreads) {
  auto storage = SqliteStorage::open(db_file_);
  constexpr int kThreads = 4;
  constexpr int kRounds = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string run_id = "t" + std::to_string(t);
      storage->add_run(make_run(run_id));
      for (int i = 0; i < kRounds; ++i) {
        append(*storage, {make_event(run_id, EventType::kLog)});
        storage->run_events(run_id, {});
        storage->list_runs({});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(storage->run_events("t" + std::to_string(t), {}).size(), std::size_t{kRounds});
  }
}

// A reader in another process sees each batch as soon as it is committed, while the writer
// keeps its connection (and its thread) running.
TEST_F(SqliteStorageTest, ReaderInAnotherProcessSeesCommittedProgress) {
  constexpr int kRounds = 4;
  constexpr int kPerRound = 500;
  int to_child[2];
  int to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  // Fork before the parent opens the database: SQLite state must not cross a fork.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Reports through the pipe and its exit code; opens the database once the parent created it.
    ::close(to_child[1]);
    ::close(to_parent[0]);
    int code = 0;
    try {
      std::unique_ptr<SqliteStorage> reader;
      char go = 0;
      while (::read(to_child[0], &go, 1) == 1) {
        if (!reader) reader = SqliteStorage::open(db_file_);
        const auto count = static_cast<std::int64_t>(reader->run_events("r1", {}).size());
        if (::write(to_parent[1], &count, sizeof count) != sizeof count) code = 2;
      }
    } catch (...) {
      code = 1;
    }
    ::_exit(code);
  }
  ::close(to_child[0]);
  ::close(to_parent[1]);

  std::vector<std::int64_t> seen;
  {
    auto storage = SqliteStorage::open(db_file_);
    storage->add_run(make_run("r1"));
    BatchedEventWriter writer(*storage);
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kPerRound; ++i) writer.emit(make_event("r1", EventType::kLog));
      writer.flush();
      const char go = 1;
      ASSERT_EQ(::write(to_child[1], &go, 1), 1);
      std::int64_t count = -1;
      ASSERT_EQ(::read(to_parent[0], &count, sizeof count), static_cast<ssize_t>(sizeof count));
      seen.push_back(count);
    }
    ::close(to_child[1]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  ::close(to_parent[0]);
  EXPECT_THAT(seen, ElementsAre(kPerRound, 2 * kPerRound, 3 * kPerRound, 4 * kPerRound));
}

TEST_F(SqliteStorageTest, FreshOpenCreatesTheCurrentSchema) {
  SqliteStorage::open(db_file_);
  EXPECT_EQ(query(db_file_, "SELECT max(version) FROM schema_version"),
            std::to_string(kCurrentSchemaVersion));
  EXPECT_EQ(query(db_file_, "PRAGMA journal_mode"), "wal");
  for (const char* table : {"runs", "run_tags", "events", "asset_index"}) {
    EXPECT_EQ(query(db_file_,
                    std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'"),
              "1")
        << table;
  }
}

TEST_F(SqliteStorageTest, ReopeningAMigratedDatabaseChangesNothing) {
  {
    auto storage = SqliteStorage::open(db_file_);
    storage->add_run(make_run("r1"));
  }
  const std::string applied = query(db_file_,
                                    "SELECT group_concat(version || ':' || applied_at) "
                                    "FROM schema_version");
  const std::string bytes = read_bytes(db_file_);
  SqliteStorage::open(db_file_);
  EXPECT_EQ(query(db_file_,
                  "SELECT group_concat(version || ':' || applied_at) "
                  "FROM schema_version"),
            applied);
  EXPECT_EQ(read_bytes(db_file_), bytes);
  EXPECT_TRUE(SqliteStorage::open(db_file_)->get_run("r1"));
}

TEST_F(SqliteStorageTest, NewerSchemaIsRefusedAndLeftUntouched) {
  SqliteStorage::open(db_file_);
  query(db_file_, "INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");
  const std::string bytes = read_bytes(db_file_);
  try {
    SqliteStorage::open(db_file_);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(db_file_.string() +
                                    " has schema version 99, newer than "
                                    "this cairn build supports (" +
                                    std::to_string(kCurrentSchemaVersion) + ")"));
    EXPECT_THAT(e.what(), HasSubstr("upgrade cairn or point CAIRN_HOME at another instance"));
  }
  EXPECT_EQ(read_bytes(db_file_), bytes);
  EXPECT_EQ(query(db_file_, "SELECT max(version) FROM schema_version"), "99");
}

TEST_F(SqliteStorageTest, GarbageFileIsRefusedAndLeftUntouched) {
  std::string garbage(8192, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 7919 % 251);
  std::ofstream(db_file_, std::ios::binary) << garbage;
  try {
    SqliteStorage::open(db_file_);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(db_file_.string()));
    EXPECT_THAT(e.what(), HasSubstr("corrupt or not a cairn database"));
  }
  EXPECT_EQ(read_bytes(db_file_), garbage);
  EXPECT_FALSE(std::filesystem::exists(db_file_.string() + "-wal"));
}

TEST_F(SqliteStorageTest, SqliteDatabaseOfAnotherProgramIsRefusedAndLeftUntouched) {
  query(db_file_, "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)");
  const std::string bytes = read_bytes(db_file_);
  try {
    SqliteStorage::open(db_file_);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a cairn database"));
  }
  EXPECT_EQ(read_bytes(db_file_), bytes);
}

TEST_F(SqliteStorageTest, MissingDirectoryIsReportedWithThePath) {
  const auto db_file = dir_ / "missing" / "cairn.db";
  try {
    SqliteStorage::open(db_file);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(db_file.string()));
  }
}

}  // namespace
}  // namespace cairn
