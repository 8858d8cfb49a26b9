#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

enum class RunStatus { kQueued, kStarting, kStarted, kSuccess, kFailure, kCanceled };

std::string_view to_string(RunStatus status);
std::optional<RunStatus> run_status_from_string(std::string_view text);
inline bool is_finished(RunStatus s) {
  return s == RunStatus::kSuccess || s == RunStatus::kFailure || s == RunStatus::kCanceled;
}

/// One run as stored in the `runs` table.
struct RunRecord {
  std::string run_id;
  std::string job_name;   // empty for an ad-hoc selection
  std::string selection;  // the selection expression as given
  RunStatus status = RunStatus::kQueued;
  std::string config_json = "{}";
  std::map<std::string, std::string> tags;
  std::string parent_run_id;  // set on re-executions
  std::string root_run_id;    // the first run of a re-execution chain; its own id otherwise
  std::vector<std::string> step_keys;  // the plan: every step of the run, in plan order
  double created_at = 0;
  double started_at = 0;
  double ended_at = 0;
  std::string failure_reason;
  bool cancel_requested = false;
  std::string host;  // the machine whose process owns the run
  std::int64_t pid = 0;
  std::vector<std::string> partition_keys;  // requested partitions; empty: unpartitioned
  int priority = 0;                         // higher launches first from the queue
  std::string run_key;                      // set on runs requested by sensors and schedules
  double heartbeat_at = 0;                  // last heartbeat of the process executing the run
};

struct RunFilter {
  std::optional<RunStatus> status;
  std::string job_name;
  std::map<std::string, std::string> tags;  // all must match
  int limit = 50;
  int offset = 0;
};

}  // namespace cairn
