#include "automation/daemon.hpp"

#include <date/date.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "cairn/asset.hpp"
#include "cairn/partitions.hpp"
#include "scratch_dir.hpp"
#include "storage/instance.hpp"

namespace cairn {
namespace {

using namespace std::chrono_literals;

TimePoint at(const std::string& utc_text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  EXPECT_EQ(std::sscanf(utc_text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s), 6)
      << utc_text;
  return TimePoint(
      date::sys_days{date::year{y} / static_cast<unsigned>(mo) / static_cast<unsigned>(d)} +
      std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s));
}

class RecordingHook final : public RunQueueHook {
 public:
  void on_iteration(TimePoint now) override { calls.push_back(now); }
  std::vector<TimePoint> calls;
};

Asset<int> plain_asset(const std::string& key) {
  return asset<int>(key).compute([](Context&) { return 1; });
}

class DaemonTest : public ::testing::Test {
 protected:
  void open(Definitions defs) {
    defs_ = std::move(defs);
    graph_.emplace(AssetGraph::build(defs_));
    instance_ = Instance::open(scratch_.path());
  }
  std::unique_ptr<Daemon> daemon(std::string owner = "daemon-a") {
    return std::make_unique<Daemon>(instance_->storage(), *graph_, clock_,
                                    DaemonOptions{.owner = std::move(owner)}, hook_);
  }
  AutomationStore& store() { return instance_->storage().automation(); }
  std::vector<RunRecord> runs() {
    RunFilter filter;
    filter.limit = 1000;
    return instance_->storage().list_runs(filter);
  }
  std::vector<std::string> run_keys() {
    std::vector<std::string> keys;
    for (const auto& run : runs()) keys.push_back(run.run_key);
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  // A run with one event of `type`, appended now.
  void append_run_event(const std::string& run_id, EventType type, const std::string& asset_key,
                        const std::string& job = "", const std::string& message = "") {
    RunRecord run;
    run.run_id = run_id;
    run.job_name = job;
    run.root_run_id = run_id;
    run.status = RunStatus::kStarted;
    if (!instance_->storage().get_run(run_id)) instance_->storage().add_run(run);
    std::vector<Event> events(1);
    events[0].run_id = run_id;
    events[0].type = type;
    events[0].timestamp = to_epoch_seconds(clock_.now());
    events[0].asset_key = asset_key;
    events[0].step_key = asset_key;
    events[0].message = message;
    if (type == EventType::kAssetMaterialization) {
      events[0].payload_json = R"({"data_version":"v-)" + run_id + R"("})";
    }
    instance_->storage().append_events(events);
  }

  testing::ScratchDir scratch_;
  Definitions defs_;
  std::optional<AssetGraph> graph_;
  std::unique_ptr<Instance> instance_;
  FakeClock clock_{at("2025-01-01 00:00:00")};
  RecordingHook hook_;
};

Definitions hourly_schedule(bool catch_up, int max_catch_up = 100) {
  return {.assets = {plain_asset("a")},
          .jobs = {{.name = "job", .selection = "a"}},
          .schedules = {{.name = "hourly",
                         .cron = "0 * * * *",
                         .job = "job",
                         .catch_up = catch_up,
                         .max_catch_up_ticks = max_catch_up}}};
}

TEST_F(DaemonTest, ScheduleCatchesUpEveryMissedTickOldestFirst) {
  open(hourly_schedule(true));
  auto d = daemon();
  auto first = d->run_once(at("2025-01-01 00:10:00"));
  EXPECT_TRUE(first.has_lease);
  EXPECT_TRUE(first.ticks.empty());  // the schedule counts ticks from when it was first seen
  // The next due time is the lease renewal (a third of the 30 s TTL) or the next tick.
  EXPECT_EQ(first.next_due, at("2025-01-01 00:10:10"));
  EXPECT_EQ(d->run_once(at("2025-01-01 00:59:55")).next_due, at("2025-01-01 01:00:00"));
  ASSERT_EQ(hook_.calls.size(), 2u);

  auto later = d->run_once(at("2025-01-01 03:30:00"));
  ASSERT_EQ(later.ticks.size(), 3u);
  EXPECT_EQ(later.ticks[0].tick_time, to_epoch_seconds(at("2025-01-01 01:00:00")));
  EXPECT_EQ(later.ticks[2].tick_time, to_epoch_seconds(at("2025-01-01 03:00:00")));
  EXPECT_EQ(later.created_run_ids.size(), 3u);
  EXPECT_EQ(run_keys(),
            (std::vector<std::string>{"hourly:2025-01-01T01:00:00Z", "hourly:2025-01-01T02:00:00Z",
                                      "hourly:2025-01-01T03:00:00Z"}));
  for (const auto& run : runs()) {
    EXPECT_EQ(run.status, RunStatus::kQueued);
    EXPECT_EQ(run.job_name, "job");
    EXPECT_EQ(run.tags.at("cairn/schedule"), "hourly");
  }
  // Evaluating again at the same time finds nothing due.
  EXPECT_TRUE(d->run_once(at("2025-01-01 03:30:00")).ticks.empty());
  EXPECT_EQ(runs().size(), 3u);
  auto stored = store().ticks("hourly", 10);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].status, TickStatus::kSuccess);
  EXPECT_EQ(stored[0].run_keys, (std::vector<std::string>{"hourly:2025-01-01T03:00:00Z"}));
}

TEST_F(DaemonTest, ScheduleWithoutCatchUpRequestsOnlyTheLatestMissedTick) {
  open(hourly_schedule(false));
  auto d = daemon();
  d->run_once(at("2025-01-01 00:10:00"));
  auto later = d->run_once(at("2025-01-01 05:30:00"));
  ASSERT_EQ(later.ticks.size(), 1u);
  EXPECT_EQ(run_keys(), (std::vector<std::string>{"hourly:2025-01-01T05:00:00Z"}));
  // After more downtime, again only the newest.
  d->run_once(at("2025-01-01 08:10:00"));
  EXPECT_EQ(run_keys(), (std::vector<std::string>{"hourly:2025-01-01T05:00:00Z",
                                                  "hourly:2025-01-01T08:00:00Z"}));
}

TEST_F(DaemonTest, CatchUpIsLimitedToTheNewestMaxCatchUpTicks) {
  open(hourly_schedule(true, 2));
  auto d = daemon();
  d->run_once(at("2025-01-01 00:10:00"));
  d->run_once(at("2025-01-01 10:10:00"));
  EXPECT_EQ(run_keys(), (std::vector<std::string>{"hourly:2025-01-01T09:00:00Z",
                                                  "hourly:2025-01-01T10:00:00Z"}));
}

TEST_F(DaemonTest, StoppedScheduleDoesNotTickAndStartsAfreshWhenStartedAgain) {
  open(hourly_schedule(true));
  auto d = daemon();
  d->run_once(at("2025-01-01 00:10:00"));
  auto state = *store().instigator_state("hourly");
  state.running = false;
  store().set_instigator_state(state);
  EXPECT_TRUE(d->run_once(at("2025-01-01 05:10:00")).ticks.empty());
  state.running = true;
  state.cursor = std::to_string(std::chrono::floor<std::chrono::seconds>(at("2025-01-01 05:10:00"))
                                    .time_since_epoch()
                                    .count());
  store().set_instigator_state(state);
  d->run_once(at("2025-01-01 06:10:00"));
  EXPECT_EQ(run_keys(), (std::vector<std::string>{"hourly:2025-01-01T06:00:00Z"}));
}

TEST_F(DaemonTest, ScheduleOfDailyPartitionedJobRequestsThePartitionThatEndedAtTheTick) {
  auto raw = asset<int>("raw").partitioned(daily("2025-01-01")).compute([](Context&) { return 1; });
  open({.assets = {raw},
        .jobs = {{.name = "daily_job", .selection = "raw"}},
        .schedules = {
            {.name = "nightly",
             .cron = "0 0 * * *",
             .job = "daily_job",
             .catch_up = true,
             .customize = [](TimePoint, const RunRequest& request) -> std::optional<RunRequest> {
               RunRequest r = request;
               r.tags["source"] = "nightly";
               return r;
             }}}});
  auto d = daemon();
  d->run_once(at("2025-01-02 12:00:00"));
  d->run_once(at("2025-01-04 01:00:00"));
  auto all = runs();
  ASSERT_EQ(all.size(), 2u);
  std::map<std::string, std::vector<std::string>> partitions_by_key;
  for (const auto& run : all) {
    partitions_by_key[run.run_key] = run.partition_keys;
    EXPECT_EQ(run.tags.at("source"), "nightly");
  }
  EXPECT_EQ(partitions_by_key["nightly:2025-01-03T00:00:00Z"],
            (std::vector<std::string>{"2025-01-02"}));
  EXPECT_EQ(partitions_by_key["nightly:2025-01-04T00:00:00Z"],
            (std::vector<std::string>{"2025-01-03"}));
}

TEST_F(DaemonTest, CustomizeGivesThePartitionWhenTheTickHasNone) {
  // Replayed history: the partitions ended long before the ticks, and the two assets start on
  // different days, so no tick has a default partition.
  auto raw = asset<int>("raw")
                 .partitioned(daily("2016-01-01", "UTC", {.end = "2016-01-10"}))
                 .compute([](Context&) { return 1; });
  auto scored = asset<int>("scored")
                    .partitioned(daily("2016-01-05", "UTC", {.end = "2016-01-10"}))
                    .compute([](Context&, const int& x) { return x; }, raw);
  Schedule replay{.name = "replay", .cron = "0 0 * * *", .job = "score_day"};
  auto defs = [&](Schedule s) {
    return Definitions{.assets = {raw, scored},
                       .jobs = {{.name = "score_day", .selection = "raw or scored"}},
                       .schedules = {std::move(s)}};
  };
  open(defs(replay));
  auto plain = daemon();
  plain->run_once(at("2025-01-01 12:00:00"));
  auto failed = plain->run_once(at("2025-01-02 00:30:00"));
  ASSERT_EQ(failed.ticks.size(), 1u);
  EXPECT_EQ(failed.ticks[0].status, TickStatus::kFailure);
  EXPECT_NE(failed.ticks[0].error.find("different time partitions"), std::string::npos)
      << failed.ticks[0].error;
  EXPECT_TRUE(runs().empty());
  plain.reset();

  replay.customize = [](TimePoint, const RunRequest& request) -> std::optional<RunRequest> {
    EXPECT_TRUE(request.partition_keys.empty());
    RunRequest r = request;
    r.partition_keys = {"2016-01-06"};
    return r;
  };
  open(defs(replay));
  auto customized = daemon();
  customized->run_once(at("2025-01-03 00:30:00"));
  auto all = runs();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].partition_keys, (std::vector<std::string>{"2016-01-06"}));
}

TEST_F(DaemonTest, InvalidScheduleIsRejectedWhenTheDaemonIsBuilt) {
  Definitions defs = hourly_schedule(false);
  defs.schedules[0].cron = "0 25 * * *";
  open(defs);
  try {
    daemon();
    FAIL() << "no error";
  } catch (const ScheduleError& e) {
    EXPECT_EQ(std::string(e.what()),
              "schedule 'hourly': cron '0 25 * * *': hour 25 at position 3 is out of range 0-23");
  }
  Definitions unknown_job = hourly_schedule(false);
  unknown_job.schedules[0].job = "jbo";
  open(unknown_job);
  EXPECT_THROW(daemon(), ScheduleError);
}

// A sensor requesting one run per evaluation, keyed by a counter kept in its cursor.
Sensor counting_sensor() {
  return {.name = "counter", .interval = 30s, .job = "job", .evaluate = [](SensorContext& ctx) {
            int n = ctx.cursor().empty() ? 0 : std::stoi(ctx.cursor());
            SensorResult result;
            result.run_requests.push_back({.run_key = "n" + std::to_string(n + 1)});
            result.cursor = std::to_string(n + 1);
            ctx.log("evaluated with cursor '" + ctx.cursor() + "'");
            return result;
          }};
}

TEST_F(DaemonTest, SensorCursorSurvivesADaemonRestart) {
  open({.assets = {plain_asset("a")},
        .jobs = {{.name = "job", .selection = "a"}},
        .sensors = {counting_sensor()}});
  {
    auto d = daemon();
    auto it = d->run_once(clock_.now());
    ASSERT_EQ(it.ticks.size(), 1u);
    EXPECT_EQ(it.ticks[0].status, TickStatus::kSuccess);
    // Not due again before its interval.
    EXPECT_TRUE(d->run_once(clock_.now() + 10s).ticks.empty());
    EXPECT_EQ(d->run_once(clock_.now() + 30s).ticks.size(), 1u);
  }
  // A new daemon (a restart) on the same instance continues from the stored cursor.
  instance_.reset();
  instance_ = Instance::open(scratch_.path());
  auto d = daemon("daemon-after-restart");
  auto it = d->run_once(clock_.now() + 60s);
  ASSERT_EQ(it.ticks.size(), 1u);
  EXPECT_EQ(it.ticks[0].log, "evaluated with cursor '2'\n");
  EXPECT_EQ(store().instigator_state("counter")->cursor, "3");
  EXPECT_EQ(run_keys(), (std::vector<std::string>{"counter:n1", "counter:n2", "counter:n3"}));
}

TEST_F(DaemonTest, RunKeysAreLaunchedOnceAcrossEvaluationsAndAcrossTwoDaemons) {
  Sensor same_key{.name = "same", .interval = 1s, .job = "job", .evaluate = [](SensorContext&) {
                    SensorResult r;
                    r.run_requests.push_back({.run_key = "only-once"});
                    return r;
                  }};
  open({.assets = {plain_asset("a")},
        .jobs = {{.name = "job", .selection = "a"}},
        .sensors = {same_key}});
  auto a = daemon("daemon-a");
  auto second_instance = Instance::open(scratch_.path());
  RecordingHook b_hook;
  Daemon b(second_instance->storage(), *graph_, clock_, {.owner = "daemon-b"}, b_hook);

  auto a1 = a->run_once(clock_.now());
  auto b1 = b.run_once(clock_.now());
  EXPECT_TRUE(a1.has_lease);
  EXPECT_FALSE(b1.has_lease);
  EXPECT_TRUE(b1.ticks.empty());
  EXPECT_TRUE(b_hook.calls.empty());  // the daemon without the lease launches nothing
  EXPECT_EQ(a1.created_run_ids.size(), 1u);

  auto a2 = a->run_once(clock_.now() + 5s);
  ASSERT_EQ(a2.ticks.size(), 1u);
  EXPECT_EQ(a2.ticks[0].status, TickStatus::kSkipped);
  EXPECT_EQ(a2.ticks[0].skip_reason, "already launched (run key same:only-once)");
  EXPECT_EQ(a2.duplicate_run_keys, (std::vector<std::string>{"same:only-once"}));

  // a stops (releasing the lease): b takes over and still launches nothing twice.
  a.reset();
  auto b2 = b.run_once(clock_.now() + 10s);
  EXPECT_TRUE(b2.has_lease);
  EXPECT_EQ(b2.created_run_ids.size(), 0u);
  EXPECT_EQ(b_hook.calls.size(), 1u);
  EXPECT_EQ(runs().size(), 1u);
}

TEST_F(DaemonTest, ExpiredLeaseOfADeadDaemonIsTakenOver) {
  open(hourly_schedule(false));
  ASSERT_TRUE(store().acquire_lease("daemon", "dead-daemon", to_epoch_seconds(clock_.now()), 30));
  auto d = daemon();
  EXPECT_FALSE(d->run_once(clock_.now() + 10s).has_lease);
  EXPECT_TRUE(d->run_once(clock_.now() + 31s).has_lease);
}

TEST_F(DaemonTest, ThrowingSensorRecordsAFailureTickAndTheDaemonGoesOn) {
  Sensor broken{.name = "broken",
                .interval = 30s,
                .job = "job",
                .evaluate = [](SensorContext& ctx) -> SensorResult {
                  ctx.log("about to fail");
                  throw std::runtime_error("bucket not reachable");
                }};
  Definitions defs = hourly_schedule(false);
  defs.sensors = {broken};
  open(defs);
  auto d = daemon();
  d->run_once(at("2025-01-01 00:10:00"));
  auto it = d->run_once(at("2025-01-01 01:00:00"));
  ASSERT_EQ(it.ticks.size(), 2u);  // the schedule's tick and the sensor's
  auto ticks = store().ticks("broken", 10);
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].status, TickStatus::kFailure);
  EXPECT_EQ(ticks[0].error, "sensor 'broken' threw: bucket not reachable");
  EXPECT_EQ(ticks[0].log, "about to fail\n");
  EXPECT_EQ(run_keys(), (std::vector<std::string>{"hourly:2025-01-01T01:00:00Z"}));
  EXPECT_EQ(hook_.calls.size(), 2u);
}

TEST_F(DaemonTest, MalformedRequestFailsTheWholeTickAndLaunchesNothing) {
  auto days =
      asset<int>("days").partitioned(daily("2025-01-01")).compute([](Context&) { return 1; });
  int variant = 0;
  Sensor sloppy{
      .name = "sloppy", .interval = 1s, .job = "job", .evaluate = [&variant](SensorContext&) {
        SensorResult r;
        r.run_requests.push_back(
            {.run_key = "good", .job = "days_job", .partition_keys = {"2025-01-01"}});
        if (variant == 0) r.run_requests.push_back({.run_key = "bad", .job = "jbo"});
        if (variant == 1) {
          r.run_requests.push_back(
              {.run_key = "bad", .job = "days_job", .partition_keys = {"2024-12-31"}});
        }
        if (variant == 2) r.run_requests.push_back({.run_key = "bad", .selection = "a or"});
        r.cursor = "moved";
        return r;
      }};
  open({.assets = {plain_asset("a"), days},
        .jobs = {{.name = "job", .selection = "a"}, {.name = "days_job", .selection = "days"}},
        .sensors = {sloppy}});
  auto d = daemon();
  std::vector<std::string> errors;
  for (variant = 0; variant < 3; ++variant) {
    auto it = d->run_once(at("2025-01-05 00:00:00") + std::chrono::seconds(10 * variant));
    ASSERT_EQ(it.ticks.size(), 1u);
    EXPECT_EQ(it.ticks[0].status, TickStatus::kFailure);
    errors.push_back(it.ticks[0].error);
  }
  EXPECT_EQ(errors[0],
            "run request 2 (run key 'bad') of sloppy names job 'jbo' which is not in "
            "Definitions (did you mean 'job'?); add it to Definitions::jobs");
  EXPECT_NE(errors[1].find("run request 2 (run key 'bad') of sloppy asks for partition "
                           "'2024-12-31' which its assets do not have"),
            std::string::npos)
      << errors[1];
  EXPECT_NE(errors[2].find("run request 2 (run key 'bad') of sloppy has an invalid selection"),
            std::string::npos)
      << errors[2];
  EXPECT_TRUE(runs().empty());
  EXPECT_EQ(store().instigator_state("sloppy")->cursor, "");  // unchanged by failed ticks

  variant = 3;  // only the good request
  auto ok = d->run_once(at("2025-01-05 00:01:00"));
  ASSERT_EQ(ok.ticks.size(), 1u);
  EXPECT_EQ(ok.ticks[0].status, TickStatus::kSuccess);
  ASSERT_EQ(runs().size(), 1u);
  EXPECT_EQ(runs()[0].partition_keys, (std::vector<std::string>{"2025-01-01"}));
  EXPECT_EQ(store().instigator_state("sloppy")->cursor, "moved");
}

TEST_F(DaemonTest, AssetSensorSeesEachNewMaterializationOnce) {
  std::vector<std::vector<std::string>> seen;
  auto watcher = asset_sensor("watch_a", {"a"}, [&seen](SensorContext& ctx) {
    std::vector<std::string> runs;
    for (const auto& m : ctx.new_materializations())
      runs.push_back(m.run_id + "/" + m.data_version);
    seen.push_back(runs);
    return SensorResult::skip("watching");
  });
  watcher.interval = 1s;
  open({.assets = {plain_asset("a"), plain_asset("b")},
        .jobs = {{.name = "job", .selection = "a"}},
        .sensors = {watcher}});
  append_run_event("r1", EventType::kAssetMaterialization, "a");
  append_run_event("r1", EventType::kAssetMaterialization, "b");
  auto d = daemon();
  d->run_once(clock_.now());
  d->run_once(clock_.now() + 2s);
  append_run_event("r2", EventType::kAssetMaterialization, "a");
  d->run_once(clock_.now() + 4s);
  // A restart keeps the position.
  d.reset();
  d = daemon("another");
  d->run_once(clock_.now() + 6s);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], (std::vector<std::string>{"r1/v-r1"}));
  EXPECT_TRUE(seen[1].empty());
  EXPECT_EQ(seen[2], (std::vector<std::string>{"r2/v-r2"}));
  EXPECT_TRUE(seen[3].empty());
  EXPECT_EQ(store().ticks("watch_a", 1)[0].skip_reason, "watching");
}

TEST_F(DaemonTest, RunStatusSensorSeesEachFailedRunOnce) {
  std::vector<std::string> seen;
  auto alerts = run_status_sensor("alerts", {"FAILURE"}, [&seen](SensorContext& ctx) {
    for (const auto& run : ctx.finished_runs()) seen.push_back(run.run_id + ":" + run.status);
    return SensorResult::skip("alerted");
  });
  alerts.interval = 1s;
  open({.assets = {plain_asset("a")},
        .jobs = {{.name = "job", .selection = "a"}},
        .sensors = {alerts}});
  append_run_event("before", EventType::kRunFailure, "", "job", "old failure");
  auto d = daemon();
  d->run_once(clock_.now());  // starts following from here: the old failure is history
  append_run_event("ok", EventType::kRunSuccess, "", "job");
  append_run_event("bad", EventType::kRunFailure, "", "job", "boom");
  d->run_once(clock_.now() + 2s);
  d->run_once(clock_.now() + 4s);
  EXPECT_EQ(seen, (std::vector<std::string>{"bad:FAILURE"}));
}

TEST_F(DaemonTest, StartedTickLeftByAKilledDaemonIsCompletedOnceOnRestart) {
  open(hourly_schedule(true));
  {
    auto d = daemon();
    d->run_once(at("2025-01-01 00:10:00"));
  }
  // A daemon died after recording the 01:00 tick STARTED, before committing it.
  TickRecord started;
  started.instigator = "hourly";
  started.kind = InstigatorKind::kSchedule;
  started.tick_time = to_epoch_seconds(at("2025-01-01 01:00:00"));
  started.started_at = started.tick_time;
  store().begin_tick(started);

  auto d = daemon("restarted");
  auto it = d->run_once(at("2025-01-01 02:30:00"));
  EXPECT_EQ(run_keys(), (std::vector<std::string>{"hourly:2025-01-01T01:00:00Z",
                                                  "hourly:2025-01-01T02:00:00Z"}));
  EXPECT_TRUE(store().started_ticks().empty());
  EXPECT_EQ(store().ticks("hourly", 10).size(), 2u);
}

}  // namespace
}  // namespace cairn
