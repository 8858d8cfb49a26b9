#include "automation/pool_gate.hpp"

#include <gtest/gtest.h>

#include "scratch_dir.hpp"
#include "storage/instance.hpp"

namespace cairn {
namespace {

TEST(PoolGateTest, LimitOfOneHoldsAcrossTheGatesOfTwoRuns) {
  testing::ScratchDir dir;
  auto first_process = Instance::open(dir.path());
  auto second_process = Instance::open(dir.path());
  const std::map<std::string, int> pools{{"gpu", 1}, {"db", 2}};
  PoolGate run_a(first_process->storage().automation(), "run-a", pools);
  PoolGate run_b(second_process->storage().automation(), "run-b", pools);

  EXPECT_TRUE(run_a.claim("gpu", "train[2025-01-01]"));
  EXPECT_FALSE(run_b.claim("gpu", "train[2025-01-02]")) << "the gpu pool is full";
  EXPECT_FALSE(run_a.claim("gpu", "train[2025-01-03]")) << "also for the same run";
  EXPECT_TRUE(run_b.claim("db", "load")) << "other pools are independent";
  EXPECT_TRUE(run_a.claim("db", "load"));
  EXPECT_FALSE(run_a.claim("db", "export"));

  run_a.release("gpu", "train[2025-01-01]");
  EXPECT_TRUE(run_b.claim("gpu", "train[2025-01-02]"));
  EXPECT_FALSE(run_a.claim("gpu", "train[2025-01-03]"));
}

TEST(PoolGateTest, UnknownPoolIsADefinitionError) {
  testing::ScratchDir dir;
  auto instance = Instance::open(dir.path());
  PoolGate gate(instance->storage().automation(), "run-a", {{"gpu", 1}});
  EXPECT_THROW(gate.claim("tpu", "train"), DefinitionError);
}

TEST(PoolGateTest, DefinitionProblemsNameTheAssetPoolAndFix) {
  auto train = asset<int>("train").pool("gpu").compute([](Context&) { return 1; });
  auto score = asset<int>("score").pool("tpu").compute([](Context&) { return 2; });
  auto plain = asset<int>("plain").compute([](Context&) { return 3; });
  Definitions defs{.assets = {train, score, plain}, .pools = {{"gpu", 1}, {"db", 0}}};
  const std::vector<std::string> problems = pool_definition_problems(defs);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "pool 'db' has a limit of 0; a pool's limit must be at least 1");
  EXPECT_EQ(problems[1],
            "asset 'score' uses pool 'tpu' which is not in Definitions::pools; add {\"tpu\", "
            "LIMIT} to Definitions::pools");

  defs.pools = {{"gpu", 1}, {"tpu", 4}};
  EXPECT_TRUE(pool_definition_problems(defs).empty());
}

}  // namespace
}  // namespace cairn
