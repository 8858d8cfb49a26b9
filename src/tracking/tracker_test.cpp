// The public tracking API on a real instance directory: experiments, tracking runs, artifacts
// on disk, searching, and what bad input is told.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <thread>

#include "cairn/tracking.hpp"
#include "file_contents.hpp"
#include "scratch_dir.hpp"
#include "storage/instance.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn::tracking {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TrackerTest : public ::testing::Test {
 protected:
  fs::path home() const { return scratch_.path() / "home"; }

  fs::path write_local(const std::string& name, const std::string& content) {
    const fs::path path = scratch_.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  /// Every file under the artifact root.
  std::vector<std::string> artifact_files() {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(home() / "artifacts")) {
      if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), home()).string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  testing::ScratchDir scratch_;
  Tracker tracker_ = Tracker::open(home().string());
};

TEST_F(TrackerTest, ATrackingRunRecordsParamsMetricsAndTags) {
  TrackingRun run = tracker_.start_run("credit-scoring", "depth 6", {}, {{"team", "risk"}});
  EXPECT_EQ(run.id().size(), 32u);
  EXPECT_EQ(run.experiment(), "credit-scoring");
  run.log_param("booster", "gbtree");
  run.log_param("max_depth", 6);
  run.log_param("eta", 0.1);
  run.log_param("early_stopping", true);
  run.log_params({{"subsample", "0.8"}, {"max_depth", "6"}});
  run.log_metric("auc", 0.70);
  run.log_metrics({{"auc", 0.74}, {"logloss", 0.51}}, 1);
  run.log_metric_series("valid/auc", {0.6, 0.65, 0.7}, 1);
  run.set_tag("stage", "tuning");

  const TrackingRunInfo info = run.info();
  EXPECT_EQ(info.name, "depth 6");
  EXPECT_EQ(info.status, TrackingRunStatus::kRunning);
  EXPECT_EQ(info.params, (std::map<std::string, std::string>{{"booster", "gbtree"},
                                                             {"early_stopping", "true"},
                                                             {"eta", "0.1"},
                                                             {"max_depth", "6"},
                                                             {"subsample", "0.8"}}));
  EXPECT_EQ(info.metrics.at("auc"), 0.74);
  EXPECT_EQ(info.metrics.at("valid/auc"), 0.7);
  EXPECT_EQ(info.tags, (std::map<std::string, std::string>{{"stage", "tuning"}, {"team", "risk"}}));
  const auto history = run.metric_history("valid/auc");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].step, 1);
  EXPECT_EQ(history[2].step, 3);
  EXPECT_GT(history[0].timestamp, 1.6e9);

  EXPECT_TRUE(run.finish());
  EXPECT_FALSE(run.finish(TrackingRunStatus::kFailed));
  EXPECT_EQ(run.info().status, TrackingRunStatus::kFinished);
  EXPECT_GE(run.info().end_time, run.info().start_time);
  EXPECT_THROW(run.finish(TrackingRunStatus::kRunning), TrackingError);
}

TEST_F(TrackerTest, AParamNeverChanges) {
  TrackingRun run = tracker_.start_run("e");
  run.log_param("eta", 0.1);
  try {
    run.log_param("eta", 0.3);
    FAIL() << "expected TrackingError";
  } catch (const TrackingError& e) {
    EXPECT_THAT(e.what(), HasSubstr("param 'eta'"));
    EXPECT_THAT(e.what(), HasSubstr("is already '0.1' and cannot become '0.3'"));
  }
  EXPECT_EQ(run.info().params.at("eta"), "0.1");
}

TEST_F(TrackerTest, ArtifactsAreCopiedUnderTheArtifactRootWithSizeAndChecksum) {
  TrackingRun run = tracker_.start_run("e");
  const fs::path model = write_local("model.ubj", "abc");
  const Artifact copied = run.log_artifact(model.string(), "model/model.ubj");
  EXPECT_EQ(copied.path, "model/model.ubj");
  EXPECT_EQ(copied.size, 3);
  EXPECT_EQ(copied.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const Artifact by_name = run.log_artifact(model.string());
  EXPECT_EQ(by_name.path, "model.ubj");
  const Artifact report = run.log_text("reports/summary.json", "{\"auc\": 0.74}");
  EXPECT_EQ(report.size, 13);

  const std::string experiment_id = std::to_string(tracker_.get_experiment("e").id);
  const fs::path dir = home() / "artifacts" / experiment_id / run.id();
  EXPECT_EQ(cairn::testing::file_contents(dir / "model" / "model.ubj"), "abc");
  EXPECT_EQ(cairn::testing::file_contents(dir / "reports" / "summary.json"), "{\"auc\": 0.74}");
  EXPECT_EQ(run.artifact_file("model/model.ubj"), (dir / "model" / "model.ubj").string());
  const auto listed = run.list_artifacts();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].path, "model.ubj");
  EXPECT_EQ(listed[1].path, "model/model.ubj");
  EXPECT_EQ(listed[2].path, "reports/summary.json");
  EXPECT_EQ(listed[2].size, 13);
  // No temporary file is left behind.
  EXPECT_EQ(artifact_files().size(), 3u);
  EXPECT_THROW(run.artifact_file("missing.txt"), NotFoundError);
}

TEST_F(TrackerTest, ArtifactPathsLeavingTheirDirectoryAreRefusedBeforeAnythingIsWritten) {
  TrackingRun run = tracker_.start_run("e");
  const fs::path file = write_local("x.txt", "x");
  for (const char* path : {"../x.txt", "/etc/x.txt", "a/../../x.txt", "a//x.txt", "./x.txt", "a/",
                           "a\\..\\x.txt", "a\nb"}) {
    try {
      run.log_artifact(file.string(), path);
      ADD_FAILURE() << "accepted " << path;
    } catch (const TrackingError& e) {
      EXPECT_THAT(e.what(), HasSubstr("artifact path")) << path;
      EXPECT_THAT(e.what(), HasSubstr("give a relative path inside the run's artifacts"));
    }
  }
  EXPECT_THROW(run.log_text("..", "x"), TrackingError);
  EXPECT_TRUE(run.list_artifacts().empty());
  EXPECT_TRUE(artifact_files().empty());
}

TEST_F(TrackerTest, AnArtifactIsNeverReplaced) {
  TrackingRun run = tracker_.start_run("e");
  run.log_artifact(write_local("a.txt", "first").string(), "a.txt");
  try {
    run.log_artifact(write_local("b.txt", "second").string(), "a.txt");
    FAIL() << "expected TrackingError";
  } catch (const TrackingError& e) {
    EXPECT_THAT(e.what(), HasSubstr("already exists; artifacts are never replaced"));
  }
  EXPECT_EQ(cairn::testing::file_contents(run.artifact_file("a.txt")), "first");
  ASSERT_EQ(run.list_artifacts().size(), 1u);
  EXPECT_EQ(run.list_artifacts()[0].size, 5);
}

TEST_F(TrackerTest, AMissingLocalFileOrAFinishedRunLeavesNoFileBehind) {
  TrackingRun run = tracker_.start_run("e");
  try {
    run.log_artifact((scratch_.path() / "nope.bin").string());
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("nope.bin"));
    EXPECT_THAT(e.what(), HasSubstr("no such file"));
  }
  run.finish();
  EXPECT_THROW(run.log_artifact(write_local("late.txt", "late").string()), TrackingError);
  EXPECT_TRUE(artifact_files().empty());
}

TEST_F(TrackerTest, RunsAreFoundByUniquePrefix) {
  TrackingRun run = tracker_.start_run("e");
  EXPECT_EQ(tracker_.resolve_run_id(run.id().substr(0, 6)), run.id());
  EXPECT_EQ(tracker_.get_run(run.id().substr(0, 4)).id, run.id());
  try {
    tracker_.get_run(run.id().substr(0, 3));
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a prefix needs at least 4 characters"));
  }
  EXPECT_THROW(tracker_.get_run("ffffffffffffffffffff"), NotFoundError);
}

TEST_F(TrackerTest, AnAmbiguousPrefixListsTheRunsItMatches) {
  auto instance = Instance::open(home());
  TrackingStore& store = instance->storage().tracking();
  const std::int64_t experiment = store.get_or_create_experiment("e", 1).id;
  for (const char* id : {"abcd0001", "abcd0002", "abce0003"}) {
    store.add_tracking_run({id, experiment, "", 1, {}, {}});
  }
  const Tracker tracker(borrow_instance(*instance));
  EXPECT_EQ(tracker.resolve_run_id("abce"), "abce0003");
  try {
    tracker.resolve_run_id("abcd");
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("prefix 'abcd' is ambiguous, matches: abcd0001, abcd0002"));
  }
}

TEST_F(TrackerTest, SearchTakesTextFiltersOrderAndPaging) {
  for (int depth : {3, 6, 9}) {
    TrackingRun run = tracker_.start_run("tuning", "depth " + std::to_string(depth));
    run.log_param("max_depth", depth);
    run.log_metric("auc", 0.6 + depth / 100.0);
    run.finish();
  }
  tracker_.start_run("other").log_metric("auc", 0.99);
  const auto names = [](const std::vector<TrackingRunInfo>& runs) {
    std::vector<std::string> out;
    for (const auto& run : runs) out.push_back(run.name);
    return out;
  };
  EXPECT_THAT(names(tracker_.search_runs({.experiments = {"tuning"},
                                          .filter = "metrics.auc > 0.65",
                                          .order_by = "metrics.auc asc"})),
              ElementsAre("depth 6", "depth 9"));
  EXPECT_THAT(
      names(tracker_.search_runs({.experiments = {"tuning"}, .filter = "params.max_depth = '3'"})),
      ElementsAre("depth 3"));
  EXPECT_THAT(
      names(tracker_.search_runs(
          {.experiments = {"tuning"}, .order_by = "metrics.auc desc", .limit = 1, .offset = 1})),
      ElementsAre("depth 6"));
  EXPECT_EQ(tracker_.search_runs({.order_by = "metrics.auc"}).front().experiment, "other");
  EXPECT_EQ(tracker_.search_runs({.filter = "status = running"}).size(), 1u);
  try {
    tracker_.search_runs({.experiments = {"tunning"}});
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no experiment 'tunning' (did you mean 'tuning'?)"));
  }
  EXPECT_THROW(tracker_.search_runs({.filter = "metrics.auc >"}), TrackingError);
}

TEST_F(TrackerTest, NamesAndKeysAreCheckedBeforeAnythingIsStored) {
  EXPECT_THROW(tracker_.start_run(""), TrackingError);
  EXPECT_THROW(tracker_.start_run(" padded"), TrackingError);
  EXPECT_THROW(tracker_.start_run("tab\there"), TrackingError);
  EXPECT_THROW(tracker_.start_run("e", "", {}, {{"", "x"}}), TrackingError);
  EXPECT_TRUE(tracker_.list_experiments().empty());
  TrackingRun run = tracker_.start_run("e");
  EXPECT_THROW(run.log_metric("", 1), TrackingError);
  EXPECT_THROW(run.log_params({{"ok", "1"}, {"", "2"}}), TrackingError);
  EXPECT_TRUE(run.info().params.empty());
  try {
    tracker_.get_experiment("f");
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("`experiments list`"));
  }
}

TEST_F(TrackerTest, DataOutlivesTheProcessThatLoggedIt) {
  std::string id;
  {
    Tracker other = Tracker::open(home().string());
    TrackingRun run = other.start_run("persisted");
    run.log_metric("auc", 0.8);
    id = run.id();
  }
  EXPECT_EQ(Tracker::open(home().string()).get_run(id).metrics.at("auc"), 0.8);
  EXPECT_EQ(tracker_.get_run(id).experiment, "persisted");
}

TEST_F(TrackerTest, TheTrackingRunsOfARunWhoseProcessDiedAreFailedOnRecovery) {
  const TrackingRun orphan = tracker_.start_run("e", "", {"dead-run", "credit/train", ""});
  {
    auto instance = Instance::open(home());
    RunRecord run;
    run.run_id = "dead-run";
    run.status = RunStatus::kStarted;
    run.root_run_id = "dead-run";
    run.host = local_hostname();
    run.pid = 1;
    instance->storage().add_run(run);
  }
  // Opening the instance finds the run's lock free: its process is gone.
  Instance::open(home());
  EXPECT_EQ(tracker_.get_run(orphan.id()).status, TrackingRunStatus::kFailed);
}

TEST_F(TrackerTest, ThreadsLogToTheirOwnRunsAtOnce) {
  constexpr int kThreads = 4;
  std::vector<std::string> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &ids] {
      TrackingRun run = tracker_.start_run("parallel", "thread " + std::to_string(t));
      ids[t] = run.id();
      run.log_param("thread", t);
      std::vector<double> curve(200);
      for (std::size_t i = 0; i < curve.size(); ++i) curve[i] = static_cast<double>(i) * t;
      run.log_metric_series("curve", curve);
      run.log_text("out.txt", std::to_string(t));
      run.finish();
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    const TrackingRun run = tracker_.resume_run(ids[t]);
    EXPECT_EQ(run.metric_history("curve").size(), 200u);
    EXPECT_EQ(cairn::testing::file_contents(run.artifact_file("out.txt")), std::to_string(t));
    EXPECT_EQ(run.info().status, TrackingRunStatus::kFinished);
  }
}

}  // namespace
}  // namespace cairn::tracking
