// ctx.tracking() and ctx.model_registry() through the engine, on a real instance: what a step
// logs lands in a tracking run linked to its run and asset, ended with the step's outcome.

#include "exec/step_context.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "cairn/cairn.hpp"
#include "exec/run_engine.hpp"
#include "recording_sink.hpp"
#include "scratch_dir.hpp"
#include "storage/instance.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn {
namespace {

using ::testing::HasSubstr;
using testing::RecordingSink;
using tracking::TrackingRunInfo;
using tracking::TrackingRunStatus;
using namespace std::chrono_literals;

// Runs a whole Definitions against an instance directory, as run "run-1" tagged who=test.
struct Harness {
  explicit Harness(Definitions d)
      : defs(std::move(d)),
        graph(AssetGraph::build(defs)),
        instance(Instance::open(scratch.path())),
        tracker(tracking::borrow_instance(*instance)) {}

  RunStatus run(int max_concurrent = 0, bool with_tracker = true) {
    RunPlan plan = plan_everything(PartitionSpace::build(graph, std::chrono::sys_seconds{}, {}));
    RunRecord record;
    record.run_id = "run-1";
    record.tags = {{"who", "test"}};
    EngineOptions options;
    options.max_concurrent = max_concurrent;
    options.tracker = with_tracker ? &tracker : nullptr;
    RunEngine engine(graph, io, defs.resources, sink, clock, options);
    return engine.execute(record, plan, RunConfig{});
  }

  /// The tracking runs of one experiment, oldest first.
  std::vector<TrackingRunInfo> runs_of(const std::string& experiment) {
    auto runs = tracker.search_runs({.experiments = {experiment}, .order_by = "start_time asc"});
    return runs;
  }

  testing::ScratchDir scratch;
  Definitions defs;
  AssetGraph graph;
  std::unique_ptr<Instance> instance;
  tracking::Tracker tracker;
  IOManagers io{{"fs", make_memory_io_manager()}, {"memory", make_memory_io_manager()}};
  RecordingSink sink;
  FakeClock clock;
};

TEST(StepTracking, AStepLogsIntoATrackingRunLinkedToItsRunAndAsset) {
  auto train = asset<double>("credit/train").compute([](Context& ctx) {
    auto& run = ctx.tracking();
    run.log_params({{"max_depth", "6"}, {"eta", "0.1"}});
    run.log_metric_series("valid/auc", {0.6, 0.7, 0.74});
    run.log_metric("auc", 0.74);
    run.log_text("model/model.json", "{\"trees\": []}");
    EXPECT_EQ(&ctx.tracking(), &run);  // one tracking run per step
    return 0.74;
  });
  auto untracked = asset<int>("untracked").compute([](Context&) { return 1; });
  Harness h({.assets = {train, untracked}});
  ASSERT_EQ(h.run(), RunStatus::kSuccess);

  const auto runs = h.runs_of("credit/train");
  ASSERT_EQ(runs.size(), 1u);
  const TrackingRunInfo& run = runs[0];
  EXPECT_EQ(run.status, TrackingRunStatus::kFinished);
  EXPECT_GT(run.end_time, 0);
  EXPECT_EQ(run.name, "credit/train");
  EXPECT_EQ(run.links.run_id, "run-1");
  EXPECT_EQ(run.links.asset_key, "credit/train");
  EXPECT_EQ(run.links.partition_key, "");
  EXPECT_EQ(run.tags,
            (std::map<std::string, std::string>{{"cairn.attempt", "1"}, {"who", "test"}}));
  EXPECT_EQ(run.params.at("max_depth"), "6");
  EXPECT_EQ(run.metrics.at("auc"), 0.74);
  EXPECT_EQ(h.tracker.resume_run(run.id).metric_history("valid/auc").size(), 3u);
  EXPECT_EQ(h.tracker.resume_run(run.id).list_artifacts().at(0).path, "model/model.json");
  // A step that never asks for tracking creates nothing.
  EXPECT_EQ(h.tracker.list_experiments().size(), 1u);
}

TEST(StepTracking, FailedAndRetriedAttemptsEachHaveTheirOwnTrackingRun) {
  auto flaky =
      asset<int>("flaky").retry({.max_attempts = 2, .delay = 10ms}).compute([](Context& ctx) {
        ctx.tracking().log_metric("attempt", ctx.attempt());
        if (ctx.attempt() == 1) throw std::runtime_error("HTTP 503");
        return 1;
      });
  auto broken = asset<int>("broken").compute([](Context& ctx) -> int {
    ctx.tracking("broken models").log_param("lr", 0.5);
    throw std::runtime_error("diverged");
  });
  auto canceled = asset<int>("canceled").compute([](Context& ctx) -> int {
    ctx.tracking().log_param("x", 1);
    throw StepCanceled("stopped");
  });
  Harness h({.assets = {flaky, broken, canceled}});
  EXPECT_EQ(h.run(), RunStatus::kFailure);

  const auto attempts = h.runs_of("flaky");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].status, TrackingRunStatus::kFailed);
  EXPECT_EQ(attempts[0].tags.at("cairn.attempt"), "1");
  EXPECT_EQ(attempts[1].status, TrackingRunStatus::kFinished);
  EXPECT_EQ(attempts[1].metrics.at("attempt"), 2);
  const auto broken_runs = h.runs_of("broken models");
  ASSERT_EQ(broken_runs.size(), 1u);
  EXPECT_EQ(broken_runs[0].status, TrackingRunStatus::kFailed);
  EXPECT_EQ(broken_runs[0].links.asset_key, "broken");
  EXPECT_EQ(h.runs_of("canceled").at(0).status, TrackingRunStatus::kKilled);
}

TEST(StepTracking, AStepThatEndsItsTrackingRunKeepsItsStatus) {
  auto early = asset<int>("early").compute([](Context& ctx) {
    ctx.tracking().finish(TrackingRunStatus::kKilled);
    return 1;
  });
  Harness h({.assets = {early}});
  ASSERT_EQ(h.run(), RunStatus::kSuccess);
  EXPECT_EQ(h.runs_of("early").at(0).status, TrackingRunStatus::kKilled);
  EXPECT_TRUE(h.sink.of_type(EventType::kLog).empty());
}

TEST(StepTracking, OneStepHasOneTrackingRun) {
  auto twice = asset<int>("twice").compute([](Context& ctx) {
    ctx.tracking("a");
    ctx.tracking("b");
    return 1;
  });
  Harness h({.assets = {twice}});
  EXPECT_EQ(h.run(), RunStatus::kFailure);
  const auto failures = h.sink.of_type(EventType::kStepFailure, "twice");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_THAT(failures[0].message, HasSubstr("already logs to tracking run"));
  EXPECT_THAT(failures[0].message, HasSubstr("in experiment 'a', not 'b'"));
  EXPECT_EQ(h.runs_of("a").at(0).status, TrackingRunStatus::kFailed);
}

TEST(StepTracking, WithoutAnInstanceTheStepFailsSayingWhy) {
  auto tracked = asset<int>("tracked").compute([](Context& ctx) {
    ctx.tracking().log_metric("x", 1);
    return 1;
  });
  Harness h({.assets = {tracked}});
  EXPECT_EQ(h.run(0, /*with_tracker=*/false), RunStatus::kFailure);
  EXPECT_THAT(h.sink.of_type(EventType::kStepFailure).at(0).message,
              HasSubstr("step 'tracked' has no experiment tracking"));
}

TEST(StepTracking, ModelsAreRegisteredAndPromotedFromAStep) {
  auto evaluate = asset<std::string>("credit/evaluate").compute([](Context& ctx) {
    auto& run = ctx.tracking();
    run.log_metric("auc", 0.74);
    run.log_text("model.ubj", "bytes");
    auto& registry = ctx.model_registry();
    const auto decision =
        registry.compare_to_alias("credit-scorer", "production", "auc", 0.74, 0.005);
    if (decision.promote) {
      const auto version = registry.create_version(
          "credit-scorer",
          {.tracking_run_id = run.id(), .run_artifact = "model.ubj", .flavor = "xgboost/ubj"});
      registry.promote("credit-scorer", version.version, "production", decision.reason);
    }
    return decision.reason;
  });
  Harness h({.assets = {evaluate}});
  ASSERT_EQ(h.run(), RunStatus::kSuccess);
  const auto production = h.tracker.models().get_by_alias("credit-scorer", "production");
  EXPECT_EQ(production.links.run_id, "run-1");
  EXPECT_EQ(production.links.asset_key, "credit/evaluate");
  EXPECT_EQ(production.metrics.at("auc"), 0.74);
  EXPECT_EQ(h.tracker.models().alias_history("credit-scorer").at(0).reason,
            "no version of model 'credit-scorer' holds alias 'production' yet");
}

TEST(StepTracking, ParallelStepsLogToTheirOwnTrackingRunsAtOnce) {
  constexpr int kSteps = 8;
  constexpr int kRounds = 100;
  auto started = std::make_shared<std::atomic<int>>(0);
  std::vector<AssetRef> assets;
  for (int i = 0; i < kSteps; ++i) {
    assets.push_back(asset<int>("model_" + std::to_string(i)).compute([started](Context& ctx) {
      auto& run = ctx.tracking("parallel");
      ++*started;
      run.log_param("asset", ctx.asset_key());
      for (int round = 0; round < kRounds; ++round)
        run.log_metric("loss", 1.0 / (round + 1), round);
      run.set_tag("done", "yes");
      return 0;
    }));
  }
  Harness h({.assets = assets});
  ASSERT_EQ(h.run(/*max_concurrent=*/4), RunStatus::kSuccess);
  EXPECT_EQ(started->load(), kSteps);
  const auto runs = h.runs_of("parallel");
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(kSteps));
  for (const auto& run : runs) {
    EXPECT_EQ(run.status, TrackingRunStatus::kFinished);
    EXPECT_EQ(run.params.at("asset"), run.links.asset_key);
    EXPECT_EQ(h.tracker.resume_run(run.id).metric_history("loss").size(),
              static_cast<std::size_t>(kRounds));
  }
}

}  // namespace
}  // namespace cairn
