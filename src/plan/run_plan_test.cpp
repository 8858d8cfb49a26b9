#include "plan/run_plan.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "cairn/cairn.hpp"
#include "scratch_dir.hpp"
#include "storage/sqlite_storage.hpp"

namespace cairn {
namespace {

class RunPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = SqliteStorage::open(scratch_.path() / "cairn.db");
    RunRecord earlier;
    earlier.run_id = "earlier";
    storage_->add_run(earlier);
  }

  void record_materialization(const std::string& key, const std::string& io_manager = "fs") {
    std::vector<Event> events(1);
    events[0].run_id = "earlier";
    events[0].type = EventType::kAssetMaterialization;
    events[0].step_key = key;
    events[0].asset_key = key;
    events[0].payload_json =
        "{\"uri\":\"fs:" + key + ".value\",\"io_manager\":\"" + io_manager + "\"}";
    storage_->append_events(events);
  }

  static PartitionSpace space(const AssetGraph& g) {
    return PartitionSpace::build(g, std::chrono::sys_seconds{}, {});
  }

  std::vector<NodeId> ids(const AssetGraph& g, std::initializer_list<const char*> keys) {
    std::vector<NodeId> out;
    for (const char* k : keys) out.push_back(*g.find(k));
    return out;
  }

  testing::ScratchDir scratch_;  // declared first: outlives the storage opened in it
  std::unique_ptr<SqliteStorage> storage_;
  Asset<int> a = asset<int>("a").compute([](Context&) { return 1; });
  Asset<int> b = asset<int>("b").compute([](Context&, const int& x) { return x; }, a);
  Asset<int> c = asset<int>("c").compute([](Context&, const int& x) { return x; }, b);
  Asset<int> d = asset<int>("d").after(a).compute([](Context&) { return 0; });
  Definitions defs{.assets = {a, b, c, d}};
};

TEST_F(RunPlanTest, UpstreamOutsideTheSelectionMustHaveBeenMaterialized) {
  AssetGraph g = AssetGraph::build(defs);
  try {
    plan_selection(space(g), ids(g, {"c"}), {}, *storage_);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'c' needs the value of 'b'"), std::string::npos) << m;
    EXPECT_NE(m.find("'+c'"), std::string::npos) << m;
  }
  record_materialization("b");
  RunPlan plan = plan_selection(space(g), ids(g, {"c"}), {}, *storage_);
  ASSERT_EQ(plan.stored_inputs.size(), 1u);
  EXPECT_EQ(g.key(plan.stored_inputs[0].node), "b");
  EXPECT_EQ(plan.stored_inputs[0].materialization.run_id, "earlier");
  // Ordering-only upstreams need no value.
  EXPECT_TRUE(plan_selection(space(g), ids(g, {"d"}), {}, *storage_).stored_inputs.empty());
}

TEST_F(RunPlanTest, ValuesKeptInAnotherProcessMemoryCannotBeInputs) {
  AssetGraph g = AssetGraph::build(defs);
  record_materialization("b", "memory");
  EXPECT_THROW(plan_selection(space(g), ids(g, {"c"}), {}, *storage_), Error);
}

TEST_F(RunPlanTest, ReexecutionRerunsWhatDidNotSucceedAndLoadsTheRest) {
  AssetGraph g = AssetGraph::build(defs);
  RunRecord parent;
  parent.run_id = "parent";
  parent.status = RunStatus::kFailure;
  parent.step_keys = {"a", "b", "c", "d"};
  auto event = [](EventType t, const char* step, const char* payload = "") {
    Event e;
    e.type = t;
    e.step_key = step;
    e.payload_json = payload;
    return e;
  };
  std::vector<Event> events{
      event(EventType::kStepSuccess, "a"), event(EventType::kStepFailure, "b"),
      event(EventType::kStepSkipped, "c"), event(EventType::kStepSuccess, "d")};
  record_materialization("a");
  RunPlan plan = plan_reexecution(space(g), parent, events, *storage_);
  EXPECT_EQ(plan.step_keys(), (std::vector<std::string>{"b", "c"}));
  ASSERT_EQ(plan.stored_inputs.size(), 1u);
  EXPECT_EQ(g.key(plan.stored_inputs[0].node), "a");

  // A success kept only in the dead process's memory is recomputed.
  events.push_back(event(EventType::kAssetMaterialization, "a", R"({"io_manager":"memory"})"));
  plan = plan_reexecution(space(g), parent, events, *storage_);
  EXPECT_EQ(plan.step_keys(), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(RunPlanTest, ReexecutionRefusesUnfinishedOrFullySuccessfulRuns) {
  AssetGraph g = AssetGraph::build(defs);
  RunRecord parent;
  parent.run_id = "p";
  parent.step_keys = {"a"};
  parent.status = RunStatus::kStarted;
  EXPECT_THROW(plan_reexecution(space(g), parent, {}, *storage_), Error);
  parent.status = RunStatus::kSuccess;
  Event ok;
  ok.type = EventType::kStepSuccess;
  ok.step_key = "a";
  std::vector<Event> events{ok};
  EXPECT_THROW(plan_reexecution(space(g), parent, events, *storage_), Error);
  parent.status = RunStatus::kFailure;
  parent.step_keys = {"renamed"};
  EXPECT_THROW(plan_reexecution(space(g), parent, {}, *storage_), Error);
}

}  // namespace
}  // namespace cairn
