#include "exec/run_heartbeat.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cairn {
namespace {

using namespace std::chrono_literals;

/// Records heartbeats; every other method is unused by RunHeartbeat.
class HeartbeatRecorder final : public AutomationStore {
 public:
  void heartbeat(std::string_view run_id, double now) override {
    {
      std::lock_guard lock(mutex_);
      beats_.emplace_back(std::string(run_id), now);
    }
    changed_.notify_all();
  }
  /// Waits (really) until at least `n` beats were recorded; returns them.
  std::vector<std::pair<std::string, double>> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return beats_.size() >= n; });
    return beats_;
  }
  std::vector<std::pair<std::string, double>> beats() {
    std::lock_guard lock(mutex_);
    return beats_;
  }

  [[noreturn]] static void unused() { throw std::logic_error("not used by RunHeartbeat"); }
  std::optional<InstigatorState> instigator_state(std::string_view) override { unused(); }
  std::vector<InstigatorState> instigator_states() override { unused(); }
  void set_instigator_state(const InstigatorState&) override { unused(); }
  std::int64_t begin_tick(const TickRecord&) override { unused(); }
  TickCommitResult commit_tick(const TickCommit&) override { unused(); }
  std::vector<TickRecord> ticks(std::string_view, int, double) override { unused(); }
  std::optional<TickRecord> latest_finished_tick(std::string_view) override { unused(); }
  std::vector<TickRecord> started_ticks() override { unused(); }
  std::optional<std::string> run_for_key(std::string_view) override { unused(); }
  bool acquire_lease(std::string_view, std::string_view, double, double) override { unused(); }
  void release_lease(std::string_view, std::string_view) override { unused(); }
  void add_backfill(const BackfillRecord&, const std::vector<std::string>&,
                    const std::vector<RunRecord>&) override {
    unused();
  }
  std::optional<BackfillRecord> get_backfill(std::string_view) override { unused(); }
  std::vector<BackfillRecord> list_backfills(int) override { unused(); }
  void set_backfill_status(std::string_view, BackfillStatus, double) override { unused(); }
  std::vector<BackfillPartition> backfill_partitions(std::string_view) override { unused(); }
  BackfillProgress backfill_progress(std::string_view) override { unused(); }
  void requeue_backfill_partitions(std::string_view, const std::vector<std::string>&,
                                   const RunRecord&) override {
    unused();
  }
  bool try_claim_pool_slot(std::string_view, int, std::string_view, std::string_view) override {
    unused();
  }
  void release_pool_slot(std::string_view, std::string_view, std::string_view) override {
    unused();
  }
  void release_pool_slots_of_run(std::string_view) override { unused(); }
  std::vector<RunRecord> queued_runs(int) override { unused(); }
  std::vector<RunRecord> active_runs() override { unused(); }
  bool dequeue_run(std::string_view) override { unused(); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<std::string, double>> beats_;  // guarded by mutex_
};

TEST(RunHeartbeatTest, BeatsAtOnceThenEveryIntervalOnTheClock) {
  FakeClock clock;
  const double start = to_epoch_seconds(clock.now());
  HeartbeatRecorder store;
  {
    RunHeartbeat heartbeat(store, "run-1", clock, 10s);
    EXPECT_GE(store.beats().size(), 1u) << "the first beat is recorded by the constructor";
    store.wait_for(4);
  }
  // The fake clock jumps each wait to its deadline, so the thread beats as fast as it can until
  // the destructor stops it: every beat must still be exactly one interval after the previous.
  const auto beats = store.beats();
  ASSERT_GE(beats.size(), 4u);
  for (std::size_t i = 0; i < beats.size(); ++i) {
    EXPECT_EQ(beats[i].first, "run-1");
    EXPECT_DOUBLE_EQ(beats[i].second, start + 10.0 * static_cast<double>(i)) << i;
  }
}

TEST(RunHeartbeatTest, DestructionDoesNotWaitOutTheInterval) {
  SystemClock clock;
  HeartbeatRecorder store;
  const auto started = std::chrono::steady_clock::now();
  { RunHeartbeat heartbeat(store, "run-1", clock, std::chrono::hours(1)); }
  // Generous bound against a loaded machine; waiting out the interval would take an hour.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_EQ(store.beats().size(), 1u);
}

TEST(RunHeartbeatTest, ShortRealIntervalKeepsBeating) {
  SystemClock clock;
  HeartbeatRecorder store;
  RunHeartbeat heartbeat(store, "run-1", clock, 1ms);
  const auto beats = store.wait_for(3);
  EXPECT_LT(beats[0].second, beats[2].second);
}

}  // namespace
}  // namespace cairn
