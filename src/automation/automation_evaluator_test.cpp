#include "automation/automation_evaluator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "staleness_fixture.hpp"

namespace cairn {
namespace {

using testing::AssetSpec;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Pipeline;
using testing::utc;

// Daily at 06:00 UTC: what the daemon's cron parser would answer for "0 6 * * *".
std::chrono::sys_seconds next_six_am(const AutomationCondition&, std::chrono::sys_seconds after) {
  auto tick = std::chrono::floor<std::chrono::days>(after) + std::chrono::hours(6);
  if (tick <= after) tick += std::chrono::days(1);
  return tick;
}

class Evaluator {
 public:
  explicit Evaluator(const Pipeline& p) : p_(p) {}

  AutomationEvaluation run(std::vector<std::string> in_progress = {},
                           std::vector<CheckRecord> checks = {},
                           std::chrono::sys_seconds now = utc(2025, 1, 4)) {
    auto index = p_.build();
    AutomationInputs inputs{.staleness = index,
                            .in_progress_step_keys = in_progress,
                            .check_results = checks,
                            .now = now,
                            .next_cron_time = next_six_am};
    AutomationEvaluation result = evaluator_.evaluate(inputs, cursor_);
    cursor_ = AutomationCursor::parse(result.cursor.serialize());
    EXPECT_EQ(cursor_, result.cursor);
    return result;
  }
  const AutomationCursor& cursor() const { return cursor_; }

 private:
  const Pipeline& p_;
  AutomationEvaluator evaluator_;
  AutomationCursor cursor_;
};

const AssetEvaluation& of(const AutomationEvaluation& result, std::string_view asset) {
  for (const AssetEvaluation& a : result.assets) {
    if (a.asset_key == asset) return a;
  }
  throw Error("no evaluation of " + std::string(asset));
}

// The reasons an asset was not requested, each with its count.
std::vector<std::string> why_not(const AutomationEvaluation& result, std::string_view asset) {
  std::vector<std::string> out;
  for (const NotRequested& n : of(result, asset).not_requested) {
    out.push_back(n.reason + (n.count == 1 ? "" : " ×" + std::to_string(n.count)));
  }
  return out;
}

std::vector<std::string> requested(const AutomationEvaluation& result, std::string_view asset) {
  std::vector<std::string> out;
  for (const RequestedStep& s : of(result, asset).requested)
    out.push_back(s.step_key + ": " + s.reason);
  return out;
}

// raw (not automated) -> a -> b -> c, all eager.
std::vector<AssetSpec> eager_chain() {
  return {{.key = "raw"},
          {.key = "a", .deps = {{"raw"}}, .automation = eager()},
          {.key = "b", .deps = {{"a"}}, .automation = eager()},
          {.key = "c", .deps = {{"b"}}, .automation = eager()}};
}

void materialize_chain(Pipeline& p) {
  for (const char* key : {"raw", "a", "b", "c"}) p.materialize(key);
}

TEST(AutomationEvaluator, NothingToDoWhenEverythingIsUpToDate) {
  Pipeline p(eager_chain());
  materialize_chain(p);
  Evaluator e(p);
  auto result = e.run();
  EXPECT_THAT(result.run_requests, IsEmpty());
  ASSERT_EQ(result.assets.size(), 3u);  // raw has no condition
  EXPECT_THAT(why_not(result, "a"), ElementsAre("up to date"));
  EXPECT_THAT(why_not(result, "c"), ElementsAre("up to date"));
  auto json = nlohmann::json::parse(result.to_json());
  EXPECT_EQ(json["assets"], nlohmann::json::array());
  EXPECT_EQ(json["up_to_date"], nlohmann::json({"a", "b", "c"}));
}

TEST(AutomationEvaluator, EagerChainAdvancesOneLinkPerMaterialization) {
  Pipeline p(eager_chain());
  materialize_chain(p);
  p.materialize("raw", "", "new data");
  Evaluator e(p);

  auto first = e.run();
  EXPECT_THAT(requested(first, "a"), ElementsAre("a: upstream raw has newer data"));
  EXPECT_THAT(why_not(first, "b"), ElementsAre("waiting: upstream a requested in this evaluation"));
  EXPECT_THAT(why_not(first, "c"), ElementsAre("waiting: upstream b waits for its own upstream"));
  ASSERT_EQ(first.run_requests.size(), 1u);
  EXPECT_EQ(first.run_requests[0].partition_key, "");
  EXPECT_THAT(first.run_requests[0].asset_keys, ElementsAre("a"));

  // While a's run is queued or running, nothing is requested again.
  auto while_running = e.run({"a"});
  EXPECT_THAT(while_running.run_requests, IsEmpty());
  EXPECT_THAT(why_not(while_running, "a"), ElementsAre("in progress"));

  p.materialize("a");
  auto second = e.run();
  EXPECT_THAT(why_not(second, "a"), ElementsAre("up to date"));
  EXPECT_THAT(requested(second, "b"), ElementsAre("b: upstream a has newer data"));
  EXPECT_THAT(why_not(second, "c"),
              ElementsAre("waiting: upstream b requested in this evaluation"));

  p.materialize("b");
  auto third = e.run();
  EXPECT_THAT(requested(third, "c"), ElementsAre("c: upstream b has newer data"));
  p.materialize("c");
  EXPECT_THAT(e.run().run_requests, IsEmpty());
  EXPECT_THAT(e.cursor().requested, IsEmpty());  // served requests are forgotten
}

// c already has stale inputs from b, but a is being recomputed: b will change again, so c waits
// instead of running on data about to be replaced.
TEST(AutomationEvaluator, EagerWaitsForPendingWorkAnywhereUpstream) {
  Pipeline p(eager_chain());
  materialize_chain(p);
  p.materialize("b", "", "b changed");
  p.materialize("raw", "", "raw changed");
  Evaluator e(p);
  auto result = e.run();
  EXPECT_THAT(requested(result, "a"), ElementsAre("a: upstream raw has newer data"));
  EXPECT_THAT(why_not(result, "c"), ElementsAre("waiting: upstream b waits for its own upstream"));

  auto in_progress = e.run({"raw"});
  EXPECT_THAT(why_not(in_progress, "a"), ElementsAre("waiting: upstream raw in progress"));
  EXPECT_THAT(in_progress.run_requests, IsEmpty());
}

TEST(AutomationEvaluator, EagerMissingStepsNeedTheirUpstreams) {
  Pipeline p(eager_chain());
  Evaluator e(p);
  auto nothing = e.run();
  EXPECT_THAT(why_not(nothing, "a"), ElementsAre("missing upstream raw"));
  EXPECT_THAT(why_not(nothing, "b"), ElementsAre("missing upstream a"));

  p.materialize("raw");
  auto result = e.run();
  EXPECT_THAT(requested(result, "a"), ElementsAre("a: missing"));
  EXPECT_THAT(why_not(result, "b"),
              ElementsAre("waiting: upstream a requested in this evaluation"));
}

TEST(AutomationEvaluator, EagerIgnoresCodeChangesWithoutNewData) {
  Pipeline p(eager_chain());
  materialize_chain(p);
  p.materialize("a", "", std::nullopt, "old");
  p.materialize("b");
  p.materialize("c");
  auto result = Evaluator(p).run();
  EXPECT_THAT(result.run_requests, IsEmpty());
  EXPECT_THAT(why_not(result, "a"),
              ElementsAre("no new upstream data; stale because code version changed old → (none)"));
}

TEST(AutomationEvaluator, FailedRunIsNotRetriedUntilSomethingChanges) {
  Pipeline p(eager_chain());
  materialize_chain(p);
  p.materialize("raw", "", "v2");
  Evaluator e(p);
  EXPECT_THAT(requested(e.run(), "a"), ElementsAre("a: upstream raw has newer data"));
  // The run failed: a was not materialized.
  auto after_failure = e.run();
  EXPECT_THAT(after_failure.run_requests, IsEmpty());
  EXPECT_THAT(why_not(after_failure, "a"),
              ElementsAre("requested before for the same upstream data; waits for new data"));
  p.materialize("raw", "", "v3");
  EXPECT_THAT(requested(e.run(), "a"), ElementsAre("a: upstream raw has newer data"));
}

CheckRecord check(std::string asset, bool passed, std::string severity, std::int64_t event_id) {
  CheckRecord record;
  record.asset_key = std::move(asset);
  record.check_name = "not_null";
  record.event_id = event_id;
  record.passed = passed;
  record.severity = std::move(severity);
  record.blocking = true;
  return record;
}

TEST(AutomationEvaluator, FailedBlockingCheckUpstreamBlocksEager) {
  Pipeline p(eager_chain());
  materialize_chain(p);
  p.materialize("raw", "", "bad data");
  const std::int64_t after_raw = p.last_event_id() + 1;
  Evaluator e(p);

  auto blocked = e.run({}, {check("raw", false, "error", after_raw)});
  EXPECT_THAT(blocked.run_requests, IsEmpty());
  EXPECT_THAT(why_not(blocked, "a"), ElementsAre("blocking check raw/not_null failed on upstream"));

  // A warning does not block, and neither does a failure about a value since replaced.
  EXPECT_THAT(requested(Evaluator(p).run({}, {check("raw", false, "warn", after_raw)}), "a"),
              ElementsAre("a: upstream raw has newer data"));
  EXPECT_THAT(requested(Evaluator(p).run({}, {check("raw", false, "error", 1)}), "a"),
              ElementsAre("a: upstream raw has newer data"));
  EXPECT_THAT(requested(Evaluator(p).run({}, {check("raw", true, "error", after_raw)}), "a"),
              ElementsAre("a: upstream raw has newer data"));
}

// The ADR's case: an evaluation asset adds one dynamic partition per model; eager metrics and
// plots follow for exactly that model.
TEST(AutomationEvaluator, EagerDynamicPartitionsRequestsExactlyTheNewOnes) {
  std::vector<AssetSpec> specs{{.key = "evaluate", .partitions = dynamic_partitions("models")},
                               {.key = "metrics",
                                .deps = {{"evaluate"}},
                                .partitions = dynamic_partitions("models"),
                                .automation = eager()},
                               {.key = "plot",
                                .deps = {{"metrics"}},
                                .partitions = dynamic_partitions("models"),
                                .automation = eager()}};
  Pipeline p(specs, utc(2025, 1, 4), {{"models", {"xgb", "logreg"}}});
  for (const char* model : {"xgb", "logreg"}) {
    for (const char* key : {"evaluate", "metrics", "plot"}) p.materialize(key, model);
  }
  p.add_dynamic("models", "lgbm");
  p.materialize("evaluate", "lgbm");
  Evaluator e(p);

  auto result = e.run();
  EXPECT_THAT(requested(result, "metrics"), ElementsAre("metrics[lgbm]: missing"));
  EXPECT_THAT(why_not(result, "metrics"), ElementsAre("up to date ×2"));
  EXPECT_THAT(why_not(result, "plot"),
              ElementsAre("up to date ×2",
                          "waiting: upstream metrics[lgbm] requested in this "
                          "evaluation"));
  ASSERT_EQ(result.run_requests.size(), 1u);
  EXPECT_EQ(result.run_requests[0].partition_key, "lgbm");
  EXPECT_THAT(result.run_requests[0].asset_keys, ElementsAre("metrics"));

  p.materialize("metrics", "lgbm");
  auto next = e.run();
  EXPECT_THAT(requested(next, "plot"), ElementsAre("plot[lgbm]: missing"));
  EXPECT_THAT(requested(next, "metrics"), IsEmpty());
}

TEST(AutomationEvaluator, EagerFillsOnlyTheLatestMissingTimeWindow) {
  std::vector<AssetSpec> specs{{.key = "raw", .partitions = daily("2025-01-01")},
                               {.key = "daily_stats",
                                .deps = {{"raw"}},
                                .partitions = daily("2025-01-01"),
                                .automation = eager()}};
  Pipeline p(specs, utc(2025, 1, 4));  // days 1..3
  for (const char* day : {"2025-01-01", "2025-01-02", "2025-01-03"}) p.materialize("raw", day);
  auto result = Evaluator(p).run();
  EXPECT_THAT(requested(result, "daily_stats"), ElementsAre("daily_stats[2025-01-03]: missing"));
  EXPECT_THAT(why_not(result, "daily_stats"),
              ElementsAre("missing, but eager fills only the latest partition of a "
                          "time-partitioned asset; backfill older ones ×2"));
  ASSERT_EQ(result.run_requests.size(), 1u);
  EXPECT_EQ(result.run_requests[0].partition_key, "2025-01-03");
}

TEST(AutomationEvaluator, OnMissingRequestsOnlyMissingStepsWithUpstreams) {
  std::vector<AssetSpec> specs{{.key = "raw"},
                               {.key = "report", .deps = {{"raw"}}, .automation = on_missing()},
                               {.key = "sink", .automation = on_missing()}};
  Pipeline p(specs);
  Evaluator e(p);
  auto first = e.run();
  EXPECT_THAT(why_not(first, "report"), ElementsAre("missing upstream raw"));
  EXPECT_THAT(requested(first, "sink"), ElementsAre("sink: missing"));
  p.materialize("sink");
  p.materialize("raw");
  auto second = e.run();
  EXPECT_THAT(requested(second, "report"), ElementsAre("report: missing"));
  p.materialize("report");
  p.materialize("raw", "", "new");
  auto third = e.run();
  EXPECT_THAT(third.run_requests, IsEmpty());
  EXPECT_THAT(why_not(third, "report"), ElementsAre("materialized"));
}

TEST(AutomationEvaluator, OnCronRequestsOncePerTickAfterUpstreamsUpdated) {
  std::vector<AssetSpec> specs{
      {.key = "raw"}, {.key = "report", .deps = {{"raw"}}, .automation = on_cron("0 6 * * *")}};
  Pipeline p(specs);
  p.set_clock(utc(2025, 1, 1, 3));
  p.materialize("raw");
  p.materialize("report");
  Evaluator e(p);

  auto first = e.run({}, {}, utc(2025, 1, 1, 5));
  EXPECT_THAT(why_not(first, "report"),
              ElementsAre("waiting for the cron tick at 2025-01-01T06:00:00Z"));

  auto after_tick = e.run({}, {}, utc(2025, 1, 1, 7));
  EXPECT_THAT(after_tick.run_requests, IsEmpty());
  EXPECT_THAT(why_not(after_tick, "report"),
              ElementsAre("waiting: upstream raw not updated since the cron tick at "
                          "2025-01-01T06:00:00Z"));

  p.set_clock(utc(2025, 1, 1, 7, 30));
  p.materialize("raw");
  auto ready = e.run({}, {}, utc(2025, 1, 1, 8));
  EXPECT_THAT(requested(ready, "report"),
              ElementsAre("report: cron tick at 2025-01-01T06:00:00Z passed and every upstream "
                          "updated since"));

  // Once per tick, even if the clock is set back over it.
  EXPECT_THAT(e.run({}, {}, utc(2025, 1, 1, 5)).run_requests, IsEmpty());
  auto later = e.run({}, {}, utc(2025, 1, 1, 9));
  EXPECT_THAT(later.run_requests, IsEmpty());
  EXPECT_THAT(why_not(later, "report"),
              ElementsAre("waiting for the cron tick at 2025-01-02T06:00:00Z"));

  // Two ticks pass while upstream is not updated: one request, for the latest.
  p.set_clock(utc(2025, 1, 3, 7));
  p.materialize("raw");
  auto catch_up = e.run({}, {}, utc(2025, 1, 3, 8));
  EXPECT_THAT(requested(catch_up, "report"),
              ElementsAre("report: cron tick at 2025-01-03T06:00:00Z passed and every upstream "
                          "updated since"));
}

TEST(AutomationEvaluator, OnCronNeedsANextCronTimeFunction) {
  Pipeline p({{.key = "report", .automation = on_cron("@daily")}});
  auto index = p.build();
  AutomationInputs inputs{.staleness = index,
                          .in_progress_step_keys = {},
                          .check_results = {},
                          .now = utc(2025, 1, 1),
                          .next_cron_time = {}};
  AutomationEvaluator evaluator;
  EXPECT_THROW(evaluator.evaluate(inputs, {}), Error);
}

TEST(AutomationEvaluator, RunRequestsGroupStepsByPartitionKey) {
  std::vector<AssetSpec> specs{
      {.key = "u1", .automation = on_missing()},
      {.key = "u2", .automation = on_missing()},
      {.key = "p1", .partitions = static_partitions({"eu", "us"}), .automation = on_missing()},
      {.key = "p2", .partitions = static_partitions({"eu", "us"}), .automation = on_missing()}};
  Pipeline p(specs);
  p.materialize("p2", "us");
  auto result = Evaluator(p).run();
  ASSERT_EQ(result.run_requests.size(), 3u);
  EXPECT_EQ(result.run_requests[0].partition_key, "");
  EXPECT_EQ(result.run_requests[0].selection(), "u1, u2");
  EXPECT_EQ(result.run_requests[1].partition_key, "eu");
  EXPECT_EQ(result.run_requests[1].selection(), "p1, p2");
  EXPECT_EQ(result.run_requests[2].partition_key, "us");
  EXPECT_EQ(result.run_requests[2].selection(), "p1");

  auto json = nlohmann::json::parse(result.to_json());
  EXPECT_EQ(json["up_to_date"], nlohmann::json::array());
  EXPECT_EQ(json["run_requests"].size(), 3u);
  EXPECT_EQ(json["assets"][3]["asset"], "p2");
  EXPECT_EQ(json["assets"][3]["condition"], "on_missing");
  EXPECT_EQ(json["assets"][3]["requested"][0]["step"], "p2[eu]");
  EXPECT_EQ(json["assets"][3]["requested"][0]["reason"], "missing");
  EXPECT_EQ(json["assets"][3]["not_requested"][0]["reason"], "materialized");
  EXPECT_EQ(json["assets"][3]["not_requested"][0]["count"], 1);
  EXPECT_EQ(json["assets"][3]["not_requested"][0]["examples"][0], "p2[us]");
}

TEST(AutomationCursor, RoundTripsAndRejectsGarbage) {
  AutomationCursor cursor;
  cursor.requested["a[2025-01-01]"] = 42;
  cursor.cron["report"] = {.searched_until = utc(2025, 1, 1, 7),
                           .pending_tick = utc(2025, 1, 1, 6)};
  cursor.cron["other"] = {.searched_until = utc(2025, 1, 1, 7), .pending_tick = std::nullopt};
  EXPECT_EQ(AutomationCursor::parse(cursor.serialize()), cursor);
  EXPECT_EQ(AutomationCursor::parse(""), AutomationCursor{});
  EXPECT_THROW(AutomationCursor::parse("{not json"), Error);
  EXPECT_THROW(AutomationCursor::parse(R"({"version": 2, "requested": {}, "cron": {}})"), Error);
}

}  // namespace
}  // namespace cairn
