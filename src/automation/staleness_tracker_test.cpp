// The daemon's incremental staleness index on a real SQLite instance: after every change of a
// random sequence — materializations, observations, dynamic partitions added and deleted, time
// passing a window boundary — the tracked index equals one built from scratch from storage, and
// only the partition changes rebuilt it.

#include "automation/staleness_tracker.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "scratch_dir.hpp"
#include "staleness_fixture.hpp"
#include "storage/instance.hpp"

namespace cairn {
namespace {

using testing::AssetSpec;
using testing::Pipeline;
using testing::utc;
using Update = StalenessTracker::Update;

/// Daily assets with identity, offset and fan-in mappings, and assets on a dynamic set.
std::vector<AssetSpec> specs() {
  return {
      {.key = "raw", .partitions = daily("2025-01-01")},
      {.key = "clean", .deps = {{"raw"}}, .partitions = daily("2025-01-01")},
      {.key = "lagged", .deps = {testing::offset("clean", -1)}, .partitions = daily("2025-01-01")},
      {.key = "summary", .deps = {testing::all_of("lagged")}},
      {.key = "model", .deps = {{"summary"}}, .partitions = dynamic_partitions("models")},
      {.key = "metrics", .deps = {{"model"}}, .partitions = dynamic_partitions("models")},
      {.key = "report", .deps = {testing::all_of("metrics")}},
  };
}

class StalenessTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    instance_ = Instance::open(dir_.path());
    RunRecord run;
    run.run_id = "writer";
    run.root_run_id = run.run_id;
    run.status = RunStatus::kStarted;
    storage().add_run(run);
  }
  Storage& storage() { return instance_->storage(); }

  /// Appends what the engine would for `record` (from Pipeline::materialize).
  void append(const AssetVersionRecord& record) {
    nlohmann::json inputs = nlohmann::json::array();
    for (const InputVersion& in : record.inputs) {
      inputs.push_back({in.asset_key, in.partition_key, in.data_version});
    }
    Event event;
    event.run_id = "writer";
    event.type = EventType::kAssetMaterialization;
    event.timestamp = record.timestamp;
    event.asset_key = record.asset_key;
    event.partition_key = record.partition_key;
    event.step_key = record.partition_key.empty()
                         ? record.asset_key
                         : record.asset_key + "[" + record.partition_key + "]";
    event.payload_json = nlohmann::json{
        {"data_version", record.data_version},
        {"code_version", record.code_version},
        {"config_hash", record.config_hash},
        {"inputs", inputs}}.dump();
    std::vector<Event> events{event};
    storage().append_events(events);
  }
  void append(const ObservationRecord& observation) {
    Event event;
    event.run_id = "writer";
    event.type = EventType::kAssetObservation;
    event.timestamp = observation.timestamp;
    event.asset_key = observation.asset_key;
    event.partition_key = observation.partition_key;
    event.payload_json = nlohmann::json{{"data_version", observation.data_version}}.dump();
    std::vector<Event> events{event};
    storage().append_events(events);
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Instance> instance_;
};

/// Every step's freshness and causes agree between the tracked index and a cold build.
void expect_same(const StalenessIndex& tracked, const StalenessIndex& cold, const std::string& at) {
  ASSERT_EQ(tracked.size(), cold.size()) << at;
  for (StepId id = 0; id < cold.size(); ++id) {
    const std::string key = cold.space().step_key(cold.step(id));
    ASSERT_EQ(tracked.space().step_key(tracked.step(id)), key) << at;
    ASSERT_EQ(tracked.freshness(tracked.step(id)), cold.freshness(cold.step(id)))
        << at << " " << key;
    ASSERT_EQ(tracked.causes(tracked.step(id)), cold.causes(cold.step(id))) << at << " " << key;
  }
  ASSERT_EQ(tracked.counts().fresh, cold.counts().fresh) << at;
  ASSERT_EQ(tracked.counts().stale, cold.counts().stale) << at;
  ASSERT_EQ(tracked.counts().missing, cold.counts().missing) << at;
}

TEST_F(StalenessTrackerTest, IncrementalUpdatesEqualAColdBuildFromStorage) {
  Pipeline p(specs(), utc(2025, 1, 5));
  const CurrentVersions current = CurrentVersions::of(p.graph());
  StalenessTracker tracker(p.graph(), storage(), current);
  tracker.update(p.now());
  EXPECT_EQ(tracker.last_update(), Update::kRebuilt);

  std::mt19937 rng(20250105);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::vector<std::string> models;
  int next_model = 0;
  std::map<Update, int> seen;
  for (int action = 0; action < 160; ++action) {
    const int kind = pick(20);
    Update expected = Update::kIncremental;
    std::string what;
    if (kind == 0) {
      p.set_now(p.now() + std::chrono::days(1));  // a new daily window
      expected = Update::kRebuilt;
      what = "a day passed";
    } else if (kind <= 2 || models.empty()) {
      models.push_back("m" + std::to_string(next_model++));
      storage().add_dynamic_partitions("models", {models.back()});
      p.add_dynamic("models", models.back());
      expected = Update::kRebuilt;
      what = "model " + models.back() + " added";
    } else if (kind == 3) {
      const std::string gone =
          models[static_cast<std::size_t>(pick(static_cast<int>(models.size())))];
      storage().delete_dynamic_partitions("models", {gone});
      p.remove_dynamic("models", gone);
      std::erase(models, gone);
      expected = Update::kRebuilt;
      what = "model " + gone + " deleted";
    } else if (kind == 4) {
      what = "nothing";
    } else {
      const NodeId node = static_cast<NodeId>(pick(static_cast<int>(p.graph().size())));
      const std::string asset = p.graph().key(node);
      const auto keys = p.space().keys(node);
      if (p.space().is_partitioned(node) && keys.empty()) continue;
      const std::string key =
          keys.empty() ? "" : keys[static_cast<std::size_t>(pick(static_cast<int>(keys.size())))];
      if (kind <= 7) {
        append(p.observe(asset, key, "source-" + std::to_string(pick(3))));
        what = "observed " + asset + "[" + key + "]";
      } else {
        // Repeated content hashes exercise the index's early stop.
        std::optional<std::string> version;
        if (pick(3) == 0) version = "content-" + std::to_string(pick(2));
        append(p.materialize(asset, key, version));
        what = "materialized " + asset + "[" + key + "]";
      }
    }
    const std::string at = "action " + std::to_string(action) + " (" + what + ")";
    const StalenessIndex& tracked = tracker.update(p.now());
    EXPECT_EQ(tracker.last_update(), expected) << at;
    ++seen[tracker.last_update()];
    const PartitionSpace space =
        PartitionSpace::build(p.graph(), p.now(), storage().all_dynamic_partitions());
    const StalenessIndex cold = StalenessIndex::build(space, storage().asset_versions(),
                                                      storage().latest_observations(), current);
    expect_same(tracked, cold, at);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(seen[Update::kIncremental], 100) << "most updates are incremental";
  EXPECT_GT(seen[Update::kRebuilt], 10);
  EXPECT_EQ(tracker.rebuilds(), seen[Update::kRebuilt] + 1);
}

TEST_F(StalenessTrackerTest, ANewMaterializationIsAppliedOnceAndANewTrackerRebuilds) {
  Pipeline p(specs(), utc(2025, 1, 5));
  StalenessTracker tracker(p.graph(), storage(), CurrentVersions::of(p.graph()));
  const StepRef raw = p.step("raw", "2025-01-01");
  EXPECT_EQ(tracker.update(p.now()).freshness(raw), Freshness::kMissing);
  append(p.materialize("raw", "2025-01-01"));
  EXPECT_EQ(tracker.update(p.now()).freshness(raw), Freshness::kFresh);
  EXPECT_EQ(tracker.last_update(), Update::kIncremental);
  EXPECT_EQ(tracker.update(p.now()).counts().fresh, 1u) << "applied again: no change";
  // The first update of a tracker rebuilds whatever storage holds.
  StalenessTracker second(p.graph(), storage(), CurrentVersions::of(p.graph()));
  EXPECT_EQ(second.update(p.now()).freshness(raw), Freshness::kFresh);
  EXPECT_EQ(second.last_update(), Update::kRebuilt);
}

}  // namespace
}  // namespace cairn
