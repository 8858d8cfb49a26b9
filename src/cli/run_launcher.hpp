#pragma once
// Launching a run from this process: record it, take ownership (the run lock), execute the plan
// with the batched event writer, and make everything durable before reporting the outcome.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_env.hpp"
#include "core/event_sink.hpp"
#include "core/run_config.hpp"
#include "core/run_id.hpp"
#include "plan/run_plan.hpp"

namespace cairn {

struct LaunchRequest {
  std::string job_name;
  std::string selection;
  RunPlan plan;
  RunConfig config;
  std::map<std::string, std::string> tags;
  std::vector<std::string> partition_keys;
  std::string parent_run_id;
  std::string root_run_id;
  int max_concurrent = 0;
  /// Set to execute a run that already exists (queued, then dequeued by the daemon): its record
  /// is used as is, and `plan` must plan its recorded step keys.
  std::optional<RunRecord> existing_run;
};

struct LaunchResult {
  std::string run_id;
  RunStatus status = RunStatus::kFailure;
  double seconds = 0;
};

/// Runs `request` to completion in this process. `on_created` is called with the run id once the
/// run is recorded; `observers` see every event after it is committed. SIGINT cancels the run
/// cleanly (a second SIGINT kills the process).
LaunchResult launch_run(CliEnv& env, const LaunchRequest& request,
                        const std::function<void(const std::string&)>& on_created,
                        std::vector<EventObserver> observers);

}  // namespace cairn
