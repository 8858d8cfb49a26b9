#pragma once
// A run whose steps this process performs itself rather than through the run engine: `check`
// (checks against stored values) and `observe` (observations). It is recorded like any run —
// owned under its run lock, with RUN_STARTING/RUN_START, per-step events and a final status — so
// its results are events in the asset's history.

#include <string>
#include <vector>

#include "cli/cli_env.hpp"
#include "core/clock.hpp"
#include "storage/batched_event_writer.hpp"

namespace cairn {

class AdHocRun {
 public:
  /// Records the run (STARTING, owned by this process) with `step_keys` and `tags`.
  AdHocRun(CliEnv& env, std::string selection, std::map<std::string, std::string> tags,
           std::vector<std::string> partition_keys, std::vector<std::string> step_keys,
           std::string start_message);
  /// Finishes the run as FAILURE if finish() was not called (an exception escaped).
  ~AdHocRun();
  AdHocRun(const AdHocRun&) = delete;
  AdHocRun& operator=(const AdHocRun&) = delete;

  const RunRecord& record() const { return run_; }
  EventSink& sink() { return writer_; }
  Clock& clock() { return clock_; }

  /// Emits a step event (step_key "asset" or "asset[partition]").
  void emit(EventType type, const std::string& step_key, const std::string& asset_key,
            const std::string& partition_key, std::string message, std::string payload,
            LogLevel level = LogLevel::kInfo);
  /// Emits RUN_SUCCESS or RUN_FAILURE, flushes and syncs.
  void finish(bool succeeded, std::string message);

 private:
  void emit_run(EventType type, std::string message, LogLevel level);

  CliEnv& env_;
  SystemClock clock_;
  RunRecord run_;
  Instance::RunLock lock_;
  BatchedEventWriter writer_;
  bool finished_ = false;
};

}  // namespace cairn
