// The AutomationStore contract on the SQLite backend: instigator state, ticks committed
// atomically with their runs, run keys, the daemon lease, backfills, pools and the run queue.
// Two SqliteStorage objects on one file stand for two daemon processes: each has its own
// connection, so they contend through SQLite's file locks exactly as processes do.

#include "storage/sqlite_automation_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <map>
#include <thread>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"
#include "storage/sqlite_storage.hpp"
#include "storage/sqlite_test_fixtures.hpp"

namespace cairn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::make_run;
using testing::query;

class AutomationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_file_ = scratch_.path() / "cairn.db";
    storage_ = SqliteStorage::open(db_file_);
  }

  AutomationStore& store() { return storage_->automation(); }

  /// RUN_START, RUN_SUCCESS, RUN_FAILURE... of `run_id` at `timestamp`.
  static Event run_event(const std::string& run_id, EventType type, double timestamp = 10.0) {
    return testing::make_event(run_id, type, "", "", timestamp);
  }
  /// STEP_SUCCESS, STEP_FAILURE... of step `step_key` ("raw[d1]") of `run_id`.
  static Event step_event(const std::string& run_id, EventType type, const std::string& step_key) {
    Event event = testing::make_event(run_id, type, "");
    event.step_key = step_key;
    return event;
  }
  void append(std::vector<Event> events) { storage_->append_events(events); }
  std::map<std::string, PartitionRunStatus> partition_statuses(const std::string& backfill_id) {
    std::map<std::string, PartitionRunStatus> statuses;
    for (const auto& p : store().backfill_partitions(backfill_id)) {
      statuses[p.partition_key] = p.status;
    }
    return statuses;
  }

  /// A STARTED tick of sensor `instigator` at `time`.
  std::int64_t begin(const std::string& instigator, double time) {
    TickRecord tick;
    tick.instigator = instigator;
    tick.kind = InstigatorKind::kSensor;
    tick.tick_time = time;
    tick.started_at = time;
    return store().begin_tick(tick);
  }

  /// A successful commit of tick `id` with `runs` and, if given, a new cursor.
  static TickCommit success(std::int64_t id, const std::string& instigator, double ended_at,
                            std::vector<RunRecord> runs,
                            std::optional<std::string> cursor = std::nullopt) {
    TickCommit commit;
    commit.tick.id = id;
    commit.tick.instigator = instigator;
    commit.tick.kind = InstigatorKind::kSensor;
    commit.tick.tick_time = ended_at - 1;
    commit.tick.started_at = ended_at - 1;
    commit.tick.ended_at = ended_at;
    commit.tick.status = TickStatus::kSuccess;
    commit.runs = std::move(runs);
    commit.cursor = std::move(cursor);
    return commit;
  }

  testing::ScratchDir scratch_;
  std::filesystem::path db_file_;
  std::unique_ptr<SqliteStorage> storage_;
};

RunRecord keyed_run(const std::string& id, const std::string& run_key, double created_at = 1) {
  RunRecord run = make_run(id, created_at);
  run.run_key = run_key;
  run.tags = {{"sensor", "files"}};
  return run;
}

std::vector<std::string> run_ids(const std::vector<RunRecord>& runs) {
  std::vector<std::string> ids;
  for (const RunRecord& run : runs) ids.push_back(run.run_id);
  return ids;
}

TEST_F(AutomationStoreTest, InstigatorStateIsStoredAndReplaced) {
  EXPECT_FALSE(store().instigator_state("daily"));
  store().set_instigator_state({"daily", InstigatorKind::kSchedule, true, "", 5});
  store().set_instigator_state({"files", InstigatorKind::kSensor, false, "c1", 6});
  store().set_instigator_state({"daily", InstigatorKind::kSchedule, false, "t", 7});
  const auto daily = store().instigator_state("daily");
  ASSERT_TRUE(daily);
  EXPECT_EQ(daily->kind, InstigatorKind::kSchedule);
  EXPECT_FALSE(daily->running);
  EXPECT_EQ(daily->cursor, "t");
  EXPECT_EQ(daily->updated_at, 7);
  const auto all = store().instigator_states();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "daily");
  EXPECT_EQ(all[1].name, "files");
  EXPECT_EQ(all[1].kind, InstigatorKind::kSensor);
  EXPECT_EQ(all[1].cursor, "c1");
}

TEST_F(AutomationStoreTest, ACommittedTickStoresItsOutcomeRunsAndCursor) {
  const std::int64_t id = begin("files", 100);
  ASSERT_EQ(store().started_ticks().size(), 1u);
  EXPECT_FALSE(store().latest_finished_tick("files"));

  TickCommit commit = success(id, "files", 101, {keyed_run("run-a", "a.csv")}, "cursor-1");
  commit.tick.log = "found a.csv\n";
  commit.tick.detail_json = R"({"a":"new file"})";
  commit.add_dynamic_partitions = {{"files", {"a.csv"}}};
  const TickCommitResult result = store().commit_tick(commit);
  EXPECT_THAT(result.created_run_ids, ElementsAre("run-a"));
  EXPECT_TRUE(result.duplicate_run_keys.empty());

  EXPECT_TRUE(store().started_ticks().empty());
  const auto tick = store().latest_finished_tick("files");
  ASSERT_TRUE(tick);
  EXPECT_EQ(tick->id, id);
  EXPECT_EQ(tick->status, TickStatus::kSuccess);
  EXPECT_EQ(tick->kind, InstigatorKind::kSensor);
  EXPECT_EQ(tick->tick_time, 100);
  EXPECT_EQ(tick->started_at, 100);
  EXPECT_EQ(tick->ended_at, 101);
  EXPECT_THAT(tick->run_ids, ElementsAre("run-a"));
  EXPECT_THAT(tick->run_keys, ElementsAre("a.csv"));
  EXPECT_EQ(tick->cursor, "cursor-1");
  EXPECT_EQ(tick->log, "found a.csv\n");
  EXPECT_EQ(tick->detail_json, R"({"a":"new file"})");

  const auto run = storage_->get_run("run-a");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::kQueued);
  EXPECT_EQ(run->run_key, "a.csv");
  EXPECT_EQ(run->tags.at("sensor"), "files");
  RunFilter by_sensor;
  by_sensor.tags = {{"sensor", "files"}};
  EXPECT_EQ(storage_->list_runs(by_sensor).size(), 1u);
  EXPECT_EQ(store().run_for_key("a.csv"), "run-a");
  EXPECT_FALSE(store().run_for_key("b.csv"));
  EXPECT_THAT(storage_->dynamic_partition_keys("files"), ElementsAre("a.csv"));
  const auto state = store().instigator_state("files");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->cursor, "cursor-1");
  EXPECT_TRUE(state->running);
  EXPECT_EQ(state->updated_at, 101);
}

TEST_F(AutomationStoreTest, TicksAreListedNewestFirstAndPagedByTickTime) {
  for (double time : {10.0, 20.0, 30.0}) {
    TickCommit commit = success(begin("daily", time), "daily", time + 1, {});
    commit.tick.tick_time = time;
    commit.tick.status = time == 20.0 ? TickStatus::kSkipped : TickStatus::kSuccess;
    commit.tick.skip_reason = time == 20.0 ? "nothing new" : "";
    store().commit_tick(commit);
  }
  const std::int64_t started = begin("daily", 40);
  begin("other", 50);
  const auto ticks = store().ticks("daily", 0);
  ASSERT_EQ(ticks.size(), 4u);
  EXPECT_EQ(ticks[0].id, started);
  EXPECT_EQ(ticks[0].status, TickStatus::kStarted);
  EXPECT_EQ(ticks[2].skip_reason, "nothing new");
  EXPECT_EQ(ticks[3].tick_time, 10);
  const auto page = store().ticks("daily", 2, 30);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].tick_time, 20);
  EXPECT_EQ(page[1].tick_time, 10);
  EXPECT_EQ(store().latest_finished_tick("daily")->tick_time, 30);
  const auto unfinished = store().started_ticks();
  ASSERT_EQ(unfinished.size(), 2u);
  EXPECT_EQ(unfinished[0].instigator, "daily");
  EXPECT_EQ(unfinished[1].instigator, "other");
}

TEST_F(AutomationStoreTest, ARunKeyClaimedByTwoCommitsCreatesOneRun) {
  const auto first = store().commit_tick(
      success(begin("files", 1), "files", 2, {keyed_run("run-1", "a.csv")}, "c1"));
  // A restarted daemon re-evaluating the same files asks again, plus one new file and a key
  // repeated within the commit.
  const auto second = store().commit_tick(success(
      begin("files", 3), "files", 4,
      {keyed_run("run-2", "a.csv"), keyed_run("run-3", "b.csv"), keyed_run("run-4", "b.csv")},
      "c2"));
  EXPECT_THAT(first.created_run_ids, ElementsAre("run-1"));
  EXPECT_THAT(second.created_run_ids, ElementsAre("run-3"));
  EXPECT_THAT(second.duplicate_run_keys, ElementsAre("a.csv", "b.csv"));
  EXPECT_FALSE(storage_->get_run("run-2"));
  EXPECT_FALSE(storage_->get_run("run-4"));
  EXPECT_EQ(store().run_for_key("a.csv"), "run-1");
  EXPECT_EQ(store().run_for_key("b.csv"), "run-3");
  const auto tick = store().latest_finished_tick("files");
  EXPECT_THAT(tick->run_ids, ElementsAre("run-3"));
  EXPECT_THAT(tick->run_keys, ElementsAre("a.csv", "b.csv", "b.csv"));
  // Runs without a key are never duplicates.
  const auto unkeyed = store().commit_tick(
      success(begin("daily", 5), "daily", 6, {make_run("run-5"), make_run("run-6")}));
  EXPECT_THAT(unkeyed.created_run_ids, ElementsAre("run-5", "run-6"));
}

TEST_F(AutomationStoreTest, AFailedCommitChangesNothing) {
  storage_->add_run(make_run("taken"));
  store().set_instigator_state({"files", InstigatorKind::kSensor, true, "c0", 1});
  const std::int64_t id = begin("files", 10);
  TickCommit commit =
      success(id, "files", 11, {keyed_run("fresh", "new.csv"), keyed_run("taken", "x.csv")}, "c1");
  commit.add_dynamic_partitions = {{"files", {"new.csv"}}};
  try {
    store().commit_tick(commit);
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a run with id 'taken' already exists"));
  }
  EXPECT_FALSE(storage_->get_run("fresh"));
  EXPECT_FALSE(store().run_for_key("new.csv"));
  EXPECT_FALSE(store().run_for_key("x.csv"));
  EXPECT_TRUE(storage_->dynamic_partition_keys("files").empty());
  EXPECT_EQ(store().instigator_state("files")->cursor, "c0");
  const auto started = store().started_ticks();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].id, id);
  EXPECT_TRUE(started[0].run_ids.empty());
  EXPECT_EQ(storage_->list_runs({}).size(), 1u);

  // Retrying the same tick without the clash commits it.
  commit.runs.pop_back();
  EXPECT_THAT(store().commit_tick(commit).created_run_ids, ElementsAre("fresh"));
  EXPECT_EQ(store().instigator_state("files")->cursor, "c1");

  commit.tick.id = 999;
  EXPECT_THROW(store().commit_tick(commit), NotFoundError);
}

TEST_F(AutomationStoreTest, ALeaseHasOneOwnerUntilItExpiresOrIsReleased) {
  EXPECT_TRUE(store().acquire_lease("daemon", "a", 100, 30));
  EXPECT_FALSE(store().acquire_lease("daemon", "b", 110, 30));
  EXPECT_TRUE(store().acquire_lease("other", "b", 110, 30));  // leases are independent
  // Renewal by the owner extends it: b still cannot take it where it would have expired.
  EXPECT_TRUE(store().acquire_lease("daemon", "a", 125, 30));
  EXPECT_FALSE(store().acquire_lease("daemon", "b", 140, 30));
  // Expired: b takes it, and a's renewal now fails.
  EXPECT_TRUE(store().acquire_lease("daemon", "b", 155, 30));
  EXPECT_FALSE(store().acquire_lease("daemon", "a", 156, 30));
  // Releasing by a non-owner does nothing; by the owner frees it at once.
  store().release_lease("daemon", "a");
  EXPECT_FALSE(store().acquire_lease("daemon", "a", 157, 30));
  store().release_lease("daemon", "b");
  EXPECT_TRUE(store().acquire_lease("daemon", "a", 158, 30));
}

// Two daemons on one instance, each with its own connection, race for the lease and for the
// same run keys in many rounds: exactly one wins each time.
TEST_F(AutomationStoreTest, TwoStorageObjectsOnOneFileNeverBothWin) {
  constexpr int kRounds = 40;
  auto other = SqliteStorage::open(db_file_);
  std::array<SqliteStorage*, 2> daemons = {storage_.get(), other.get()};
  std::array<std::atomic<int>, 2> lease_wins{};
  std::array<std::atomic<int>, 2> runs_created{};
  std::array<std::string, 2> errors;
  std::latch start(2);
  auto race = [&](int d) {
    try {
      AutomationStore& automation = daemons[d]->automation();
      const std::string owner = "daemon-" + std::to_string(d);
      start.arrive_and_wait();
      for (int round = 0; round < kRounds; ++round) {
        // Each round's lease is fresh, so one of the two must get it.
        if (automation.acquire_lease("lease-" + std::to_string(round), owner, 0, 60)) {
          ++lease_wins[d];
        }
        TickRecord tick;
        tick.instigator = owner;
        tick.kind = InstigatorKind::kSensor;
        TickCommit commit;
        commit.tick = tick;
        commit.tick.id = automation.begin_tick(tick);
        commit.tick.status = TickStatus::kSuccess;
        commit.runs = {
            keyed_run(owner + "-" + std::to_string(round), "key-" + std::to_string(round))};
        runs_created[d] += static_cast<int>(automation.commit_tick(commit).created_run_ids.size());
      }
    } catch (const std::exception& e) {
      errors[d] = e.what();
    }
  };
  std::thread first(race, 0);
  std::thread second(race, 1);
  first.join();
  second.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(lease_wins[0] + lease_wins[1], kRounds);
  EXPECT_EQ(runs_created[0] + runs_created[1], kRounds);
  EXPECT_EQ(query(db_file_, "SELECT count(*) FROM runs"), std::to_string(kRounds));
  EXPECT_EQ(query(db_file_, "SELECT count(DISTINCT run_key) FROM runs"), std::to_string(kRounds));
  for (int round = 0; round < kRounds; ++round) {
    const auto run = store().run_for_key("key-" + std::to_string(round));
    ASSERT_TRUE(run);
    EXPECT_TRUE(other->get_run(*run));
  }
}

std::vector<RunRecord> backfill_runs(const std::vector<std::string>& keys, int per_run) {
  std::vector<RunRecord> runs;
  for (std::size_t i = 0; i < keys.size(); i += static_cast<std::size_t>(per_run)) {
    RunRecord run = make_run("bf-run-" + std::to_string(runs.size()), 100);
    run.tags = {{"backfill", "bf"}};
    for (std::size_t j = i; j < std::min(keys.size(), i + static_cast<std::size_t>(per_run)); ++j) {
      run.partition_keys.push_back(keys[j]);
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<std::string> day_keys(int count) {
  std::vector<std::string> keys;
  for (int i = 0; i < count; ++i) keys.push_back("day-" + std::to_string(100000 + i));
  return keys;
}

TEST_F(AutomationStoreTest, ABackfillOf10000PartitionsIsStoredInOrder) {
  const auto keys = day_keys(10000);
  BackfillRecord backfill;
  backfill.backfill_id = "bf";
  backfill.selection = "credit/*";
  backfill.tags = {{"owner", "ml"}};
  backfill.max_partitions_per_run = 100;
  backfill.created_at = 50;
  const auto runs = backfill_runs(keys, 100);
  const auto begin = std::chrono::steady_clock::now();
  store().add_backfill(backfill, keys, runs);
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  std::printf("add_backfill: 10000 partitions, 100 runs: %.1f ms\n",
              std::chrono::duration<double, std::milli>(elapsed).count());

  const auto stored = store().get_backfill("bf");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->partition_count, 10000);
  EXPECT_EQ(stored->status, BackfillStatus::kRequested);
  EXPECT_EQ(stored->tags.at("owner"), "ml");
  EXPECT_EQ(stored->created_at, 50);
  const auto partitions = store().backfill_partitions("bf");
  ASSERT_EQ(partitions.size(), 10000u);
  EXPECT_EQ(partitions[0].partition_key, "day-100000");
  EXPECT_EQ(partitions[9999].partition_key, "day-109999");
  EXPECT_EQ(partitions[0].run_id, "bf-run-0");
  EXPECT_EQ(partitions[9999].run_id, "bf-run-99");
  EXPECT_EQ(partitions[9999].status, PartitionRunStatus::kQueued);
  EXPECT_EQ(store().backfill_progress("bf").queued, 10000);
  EXPECT_EQ(store().queued_runs(0).size(), 100u);
  const auto run = storage_->get_run("bf-run-3");
  ASSERT_EQ(run->partition_keys.size(), 100u);
  EXPECT_EQ(run->partition_keys.front(), "day-100300");
  EXPECT_EQ(run->tags.at("backfill"), "bf");
}

TEST_F(AutomationStoreTest, BackfillProgressFollowsRunEventsAndRequeues) {
  const auto keys = day_keys(6);
  BackfillRecord backfill;
  backfill.backfill_id = "bf";
  backfill.max_partitions_per_run = 2;
  store().add_backfill(backfill, keys, backfill_runs(keys, 2));  // bf-run-0, 1, 2
  append({run_event("bf-run-0", EventType::kRunSuccess)});
  storage_->claim_run("bf-run-1", "host", 1, {"raw[day-100002]", "raw[day-100003]"});
  append({step_event("bf-run-1", EventType::kStepFailure, "raw[day-100002]"),
          step_event("bf-run-1", EventType::kStepSuccess, "raw[day-100003]"),
          run_event("bf-run-1", EventType::kRunFailure)});
  append({run_event("bf-run-2", EventType::kRunStart)});
  auto progress = store().backfill_progress("bf");
  EXPECT_EQ(progress.succeeded, 3);
  EXPECT_EQ(progress.failed, 1);
  EXPECT_EQ(progress.in_progress, 2);
  EXPECT_EQ(progress.queued, 0);
  EXPECT_EQ(store().get_backfill("bf")->status, BackfillStatus::kRequested);

  RunRecord retry = make_run("bf-retry", 200);
  retry.partition_keys = {"day-100002"};
  store().requeue_backfill_partitions("bf", {"day-100002"}, retry);
  const auto partitions = store().backfill_partitions("bf");
  EXPECT_EQ(partitions[2].run_id, "bf-retry");
  EXPECT_EQ(partitions[2].status, PartitionRunStatus::kQueued);
  EXPECT_EQ(partitions[3].run_id, "bf-run-1");
  EXPECT_EQ(storage_->get_run("bf-retry")->status, RunStatus::kQueued);
  progress = store().backfill_progress("bf");
  EXPECT_EQ(progress.failed, 0);
  EXPECT_EQ(progress.queued, 1);

  // A partition the backfill lacks: nothing changes, not even the run.
  EXPECT_THROW(
      store().requeue_backfill_partitions("bf", {"day-100004", "nope"}, make_run("bf-retry-2")),
      NotFoundError);
  EXPECT_FALSE(storage_->get_run("bf-retry-2"));
  EXPECT_EQ(store().backfill_partitions("bf")[4].status, PartitionRunStatus::kInProgress);

  store().set_backfill_status("bf", BackfillStatus::kCanceled, 300);
  EXPECT_EQ(store().get_backfill("bf")->status, BackfillStatus::kCanceled);
  EXPECT_EQ(store().get_backfill("bf")->ended_at, 300);
  EXPECT_THROW(store().set_backfill_status("nope", BackfillStatus::kCanceled, 1), NotFoundError);
  EXPECT_THROW(store().backfill_progress("nope"), NotFoundError);
}

TEST_F(AutomationStoreTest, BackfillsAreListedNewestFirstAndRejectedWhole) {
  BackfillRecord first;
  first.backfill_id = "first";
  first.created_at = 1;
  store().add_backfill(first, {"a"}, backfill_runs({"a"}, 1));
  BackfillRecord second = first;
  second.backfill_id = "second";
  second.created_at = 2;
  second.single_run = true;
  RunRecord single = make_run("single");
  single.partition_keys = {"a", "b"};
  store().add_backfill(second, {"a", "b"}, {single});
  const auto listed = store().list_backfills(0);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].backfill_id, "second");
  EXPECT_TRUE(listed[0].single_run);
  EXPECT_EQ(store().list_backfills(1).size(), 1u);

  RunRecord stray = make_run("stray");
  stray.partition_keys = {"z"};
  BackfillRecord x;
  x.backfill_id = "x";
  EXPECT_THROW(store().add_backfill(x, {"a"}, {stray}), StorageError);
  EXPECT_THROW(store().add_backfill(x, {"a", "a"}, {}), StorageError);
  EXPECT_THROW(store().add_backfill(first, {"c"}, {}), StorageError);
  RunRecord clash = make_run("single");  // an existing run id
  clash.partition_keys = {"c"};
  BackfillRecord y;
  y.backfill_id = "y";
  EXPECT_THROW(store().add_backfill(y, {"c"}, {clash}), StorageError);
  EXPECT_FALSE(store().get_backfill("x"));
  EXPECT_FALSE(store().get_backfill("y"));
  EXPECT_EQ(store().list_backfills(0).size(), 2u);
  EXPECT_EQ(query(db_file_, "SELECT count(*) FROM backfill_partitions"), "3");
}

// A backfill's partitions move with its runs' events, in the transaction appending them
// (docs/backfills.md, "Statuses").

TEST_F(AutomationStoreTest, ARunsFinalEventGivesEachOfItsBackfillPartitionsItsOutcome) {
  BackfillRecord backfill;
  backfill.backfill_id = "bf";
  backfill.single_run = true;
  RunRecord run = make_run("bf-run");
  run.partition_keys = {"d1", "d2", "d3", "d4"};
  store().add_backfill(backfill, run.partition_keys, {run});
  storage_->add_run(make_run("elsewhere"));  // a run of no backfill
  append({run_event("elsewhere", EventType::kRunStart)});
  EXPECT_EQ(store().backfill_progress("bf").queued, 4);

  ASSERT_TRUE(store().dequeue_run("bf-run"));
  storage_->claim_run("bf-run", "host", 1,
                      {"raw[d1]", "raw[d2]", "raw[d3]", "raw[d4]", "clean[d1]", "clean[d2]",
                       "clean[d3]", "clean[d4]", "summary"});
  append({run_event("bf-run", EventType::kRunStart)});
  EXPECT_EQ(store().backfill_progress("bf").in_progress, 4);

  // d1's clean step failed, then succeeded on retry: the latest terminal event counts. d3's was
  // skipped; d4's never ran (the run died); the unpartitioned summary is no partition's.
  append({step_event("bf-run", EventType::kStepSuccess, "raw[d1]"),
          step_event("bf-run", EventType::kStepSuccess, "raw[d2]"),
          step_event("bf-run", EventType::kStepSuccess, "raw[d3]"),
          step_event("bf-run", EventType::kStepSuccess, "raw[d4]"),
          step_event("bf-run", EventType::kStepFailure, "clean[d1]"),
          step_event("bf-run", EventType::kStepSuccess, "clean[d2]")});
  append({step_event("bf-run", EventType::kStepSuccess, "clean[d1]"),
          step_event("bf-run", EventType::kStepSkipped, "clean[d3]"),
          step_event("bf-run", EventType::kStepFailure, "summary"),
          run_event("bf-run", EventType::kRunFailure, 42.5)});
  EXPECT_EQ(partition_statuses("bf"),
            (std::map<std::string, PartitionRunStatus>{{"d1", PartitionRunStatus::kSuccess},
                                                       {"d2", PartitionRunStatus::kSuccess},
                                                       {"d3", PartitionRunStatus::kFailure},
                                                       {"d4", PartitionRunStatus::kFailure}}));
  const auto ended = store().get_backfill("bf");
  EXPECT_EQ(ended->status, BackfillStatus::kFailed);
  EXPECT_EQ(ended->ended_at, 42.5);

  // An ended run's partitions do not move again.
  append({run_event("bf-run", EventType::kRunSuccess)});
  EXPECT_EQ(partition_statuses("bf").at("d3"), PartitionRunStatus::kFailure);
}

TEST_F(AutomationStoreTest, TheBackfillEndsWhenItsLastRunEnds) {
  const auto keys = day_keys(3);
  BackfillRecord backfill;
  backfill.backfill_id = "bf";
  store().add_backfill(backfill, keys, backfill_runs(keys, 1));  // bf-run-0, 1, 2
  append({run_event("bf-run-0", EventType::kRunSuccess, 20)});
  append({run_event("bf-run-1", EventType::kRunSuccess, 30)});
  EXPECT_EQ(store().get_backfill("bf")->status, BackfillStatus::kRequested);
  append({run_event("bf-run-2", EventType::kRunSuccess, 40)});
  EXPECT_EQ(store().get_backfill("bf")->status, BackfillStatus::kCompleted);
  EXPECT_EQ(store().get_backfill("bf")->ended_at, 40);

  // A failed run fails the backfill; resuming it requeues the partition under a new run, whose
  // success completes the backfill.
  backfill.backfill_id = "bf2";
  const auto more = std::vector<std::string>{"x", "y"};
  std::vector<RunRecord> runs{make_run("bf2-x"), make_run("bf2-y")};
  runs[0].partition_keys = {"x"};
  runs[1].partition_keys = {"y"};
  store().add_backfill(backfill, more, runs);
  append({run_event("bf2-x", EventType::kRunSuccess)});
  append({run_event("bf2-y", EventType::kRunFailure, 50)});
  EXPECT_EQ(store().get_backfill("bf2")->status, BackfillStatus::kFailed);
  EXPECT_EQ(partition_statuses("bf2").at("y"), PartitionRunStatus::kFailure);
  RunRecord retry = make_run("bf2-y-retry");
  retry.partition_keys = {"y"};
  store().requeue_backfill_partitions("bf2", {"y"}, retry);
  store().set_backfill_status("bf2", BackfillStatus::kRequested, 0);
  append({run_event("bf2-y-retry", EventType::kRunSuccess, 60)});
  EXPECT_EQ(store().get_backfill("bf2")->status, BackfillStatus::kCompleted);
  EXPECT_EQ(store().get_backfill("bf2")->ended_at, 60);

  // A canceled backfill stays canceled when its runs end.
  backfill.backfill_id = "bf3";
  RunRecord last = make_run("bf3-run");
  last.partition_keys = {"z"};
  store().add_backfill(backfill, {"z"}, {last});
  store().set_backfill_status("bf3", BackfillStatus::kCanceled, 70);
  append({run_event("bf3-run", EventType::kRunCanceled, 80)});
  EXPECT_EQ(partition_statuses("bf3").at("z"), PartitionRunStatus::kCanceled);
  EXPECT_EQ(store().get_backfill("bf3")->status, BackfillStatus::kCanceled);
  EXPECT_EQ(store().get_backfill("bf3")->ended_at, 70);
}

TEST_F(AutomationStoreTest, BackfillPartitionsAndTheFinalEventCommitTogetherOrNotAtAll) {
  BackfillRecord backfill;
  backfill.backfill_id = "bf";
  RunRecord run = make_run("bf-run");
  run.partition_keys = {"d1"};
  store().add_backfill(backfill, {"d1"}, {run});
  ASSERT_TRUE(store().dequeue_run("bf-run"));
  append({run_event("bf-run", EventType::kRunStart)});

  // The batch fails after the final event: neither the event nor the partitions' outcome stay.
  std::vector<Event> batch{run_event("bf-run", EventType::kRunFailure),
                           run_event("no-such-run", EventType::kRunStart)};
  EXPECT_THROW(storage_->append_events(batch), StorageError);
  EXPECT_EQ(storage_->get_run("bf-run")->status, RunStatus::kStarted);
  EXPECT_EQ(partition_statuses("bf").at("d1"), PartitionRunStatus::kInProgress);
  EXPECT_EQ(store().get_backfill("bf")->status, BackfillStatus::kRequested);

  // Recording the partitions' outcome fails (a corrupt step list): the final event is not
  // appended either. Recorded apart, the run would have ended with its partition in progress.
  query(db_file_, "UPDATE runs SET step_keys_json = 'not json' WHERE run_id = 'bf-run'");
  EXPECT_THROW(append({run_event("bf-run", EventType::kRunFailure)}), StorageError);
  EXPECT_EQ(query(db_file_, "SELECT status FROM runs WHERE run_id = 'bf-run'"), "STARTED");
  EXPECT_EQ(query(db_file_, "SELECT count(*) FROM events"), "1") << "only RUN_START";
  EXPECT_EQ(partition_statuses("bf").at("d1"), PartitionRunStatus::kInProgress);

  storage_->claim_run("bf-run", "host", 1, {"raw[d1]"});
  append({step_event("bf-run", EventType::kStepSuccess, "raw[d1]"),
          run_event("bf-run", EventType::kRunFailure)});
  EXPECT_EQ(partition_statuses("bf").at("d1"), PartitionRunStatus::kSuccess);
  EXPECT_EQ(store().get_backfill("bf")->status, BackfillStatus::kCompleted);
}

TEST_F(AutomationStoreTest, PoolSlotsAreLimitedAcrossStorageObjects) {
  auto other = SqliteStorage::open(db_file_);
  AutomationStore& a = store();
  AutomationStore& b = other->automation();
  EXPECT_TRUE(a.try_claim_pool_slot("gpu", 2, "r1", "train"));
  EXPECT_TRUE(b.try_claim_pool_slot("gpu", 2, "r2", "train"));
  EXPECT_FALSE(a.try_claim_pool_slot("gpu", 2, "r3", "train"));
  EXPECT_TRUE(a.try_claim_pool_slot("gpu", 2, "r1", "train"));  // already holds it
  EXPECT_TRUE(b.try_claim_pool_slot("cpu", 1, "r3", "prep"));   // pools are independent
  b.release_pool_slot("gpu", "r1", "train");
  EXPECT_TRUE(a.try_claim_pool_slot("gpu", 2, "r3", "train"));
  EXPECT_FALSE(b.try_claim_pool_slot("gpu", 2, "r4", "train"));
  a.release_pool_slots_of_run("r3");
  EXPECT_TRUE(b.try_claim_pool_slot("gpu", 2, "r4", "train"));
  EXPECT_TRUE(b.try_claim_pool_slot("cpu", 1, "r4", "prep"));
}

TEST_F(AutomationStoreTest, TheQueueIsByPriorityThenAgeAndADequeueHappensOnce) {
  auto queued = [](const std::string& id, double created_at, int priority) {
    RunRecord run = make_run(id, created_at);
    run.priority = priority;
    return run;
  };
  storage_->add_run(queued("old-low", 1, 0));
  storage_->add_run(queued("new-high", 5, 10));
  storage_->add_run(queued("old-high", 2, 10));
  storage_->add_run(queued("negative", 0, -1));
  RunRecord started = make_run("started", 0);
  started.status = RunStatus::kStarted;
  storage_->add_run(started);
  EXPECT_THAT(run_ids(store().queued_runs(0)),
              ElementsAre("old-high", "new-high", "old-low", "negative"));
  EXPECT_THAT(run_ids(store().queued_runs(2)), ElementsAre("old-high", "new-high"));
  EXPECT_THAT(run_ids(store().active_runs()), ElementsAre("started"));

  auto other = SqliteStorage::open(db_file_);
  EXPECT_TRUE(store().dequeue_run("old-high"));
  EXPECT_FALSE(other->automation().dequeue_run("old-high"));
  EXPECT_FALSE(store().dequeue_run("started"));
  EXPECT_FALSE(store().dequeue_run("missing"));
  EXPECT_EQ(other->get_run("old-high")->status, RunStatus::kStarting);
  EXPECT_THAT(run_ids(other->automation().active_runs()), ElementsAre("started", "old-high"));
  EXPECT_THAT(run_ids(store().queued_runs(0)), ElementsAre("new-high", "old-low", "negative"));
}

TEST_F(AutomationStoreTest, HeartbeatsAreVisibleInTheRun) {
  storage_->add_run(make_run("r1"));
  store().heartbeat("r1", 123.5);
  auto other = SqliteStorage::open(db_file_);
  EXPECT_EQ(other->get_run("r1")->heartbeat_at, 123.5);
  store().heartbeat("r1", 130);
  EXPECT_EQ(other->get_run("r1")->heartbeat_at, 130);
  EXPECT_THROW(store().heartbeat("missing", 1), NotFoundError);
}

}  // namespace
}  // namespace cairn
