#pragma once
// Events: the append-only record of what happened in a run. The event log is the source of
// truth; run status and the asset index are derived from it (docs/storage.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cairn/context.hpp"

namespace cairn {

enum class EventType {
  kRunStarting,  // the run's process has taken ownership of it
  kRunStart,     // steps are about to start
  kRunSuccess,
  kRunFailure,    // message: the reason
  kRunCanceling,  // cancellation was requested; running steps are being stopped
  kRunCanceled,
  kStepStart,               // payload: {"attempt": n}
  kStepSuccess,             // payload: {"duration_ms": x, "user_code_ms": y, "attempt": n}
  kStepFailure,             // message: the error; payload: {"attempt": n, "kind":
                            // "error|timeout|canceled|lost"}
  kStepRetry,               // message: the error; payload: {"attempt": n, "delay_ms": d}
  kStepSkipped,             // message: why (upstream failed / run canceled)
  kStepInputLoaded,         // payload: {"input": key, "from_run": id, "uri": ...}
  kAssetMaterialization,    // payload: {"uri", "io_manager", "codec", "code_version",
                            // "data_version", "config_hash", "inputs": [[key, partition, version]],
                            // "metadata"}
  kLog,                     // level + message
  kAssetObservation,        // payload: {"data_version", "metadata"}
  kAssetCheckEvaluation,    // payload: {"check", "passed", "severity": "warn|error", "blocking",
                            // "description", "metadata"}
  kDynamicPartitionsAdded,  // payload: {"name", "keys": [...]}
};

std::string_view to_string(EventType type);
std::optional<EventType> event_type_from_string(std::string_view text);

std::string_view to_string(LogLevel level);
std::optional<LogLevel> log_level_from_string(std::string_view text);

struct Event {
  std::int64_t id = 0;  // assigned by Storage::append_events, increasing
  std::string run_id;
  double timestamp = 0;  // seconds since the Unix epoch
  EventType type = EventType::kLog;
  std::string step_key;       // empty for run-level events
  std::string asset_key;      // set on step and materialization events
  std::string partition_key;  // empty when not partitioned
  LogLevel level = LogLevel::kInfo;
  std::string message;
  std::string payload_json;  // a JSON object, or empty
};

bool is_step_terminal(EventType type);  // STEP_SUCCESS, STEP_FAILURE, STEP_SKIPPED

}  // namespace cairn
