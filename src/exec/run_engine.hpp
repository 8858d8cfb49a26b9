#pragma once
// The run engine: executes a RunPlan on a fixed set of worker threads, in dependency order, with
// retries, timeouts, cancellation and "upstream failed → skipped" (DESIGN.md §4).
//
// Design: one mutex guards the run's state (a flat array of step slots indexed by plan
// position). Workers pop ready steps, run them outside the lock, and on completion release the
// downstream steps themselves, so a chain of steps never waits for a coordinator hand-off. The
// calling thread is the coordinator: it only fires timers (retry delays, timeouts) and polls for
// cancellation, through the Clock seam so that tests run on simulated time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "cairn/io_manager.hpp"
#include "cairn/resource.hpp"
#include "core/clock.hpp"
#include "core/event_sink.hpp"
#include "core/run_config.hpp"
#include "core/run_record.hpp"
#include "graph/asset_graph.hpp"
#include "plan/run_plan.hpp"

namespace cairn {

namespace tracking {
class Tracker;
}

struct EngineOptions {
  /// Upper bound on steps running at once; 0 means the number of hardware threads.
  int max_concurrent = 0;
  /// Seeds the jitter of retry delays (fixed in tests for reproducible timings).
  std::uint64_t jitter_seed = 0x5eedcafe;
  /// How often `should_cancel` is polled.
  std::chrono::milliseconds cancel_poll_interval{100};
  /// Polled by the coordinator; returning true cancels the run (another process's
  /// `runs cancel`, or SIGINT). May be empty.
  std::function<bool()> should_cancel;
  /// Where steps' `ctx.tracking()` logs (outlives the engine); null: steps that call it fail.
  tracking::Tracker* tracker = nullptr;
  /// Concurrency pools (AssetDefinition::pool): claims a slot for a step before it starts;
  /// false means "not now" and the engine asks again after pool_poll_interval. Empty: pools
  /// are not limited.
  std::function<bool(std::string_view pool, std::string_view step_key)> claim_pool_slot;
  std::function<void(std::string_view pool, std::string_view step_key)> release_pool_slot;
  std::chrono::milliseconds pool_poll_interval{100};
};

/// IO managers by key, including the built-in "fs" and "memory".
using IOManagers = std::map<std::string, std::shared_ptr<IOManager>>;

class RunEngine {
 public:
  /// All references must outlive the engine. `sink` receives every event of the run.
  RunEngine(const AssetGraph& graph, const IOManagers& io_managers,
            const std::map<std::string, Resource>& resources, EventSink& sink, Clock& clock,
            EngineOptions options);

  /// Executes `plan` as `run`: emits RUN_START, the step events, and RUN_SUCCESS, RUN_FAILURE
  /// or RUN_CANCELED; returns that final status. Errors of user code never escape: they become
  /// step failures. Blocks until every worker has returned (in-process steps stop
  /// cooperatively, see Context::is_cancelled()).
  RunStatus execute(const RunRecord& run, const RunPlan& plan, const RunConfig& config);

 private:
  const AssetGraph& graph_;
  const IOManagers& io_managers_;
  const std::map<std::string, Resource>& resources_;
  EventSink& sink_;
  Clock& clock_;
  EngineOptions options_;
};

/// The delay before attempt `next_attempt` (2, 3, ...) under `policy`, before jitter.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int next_attempt);

}  // namespace cairn
