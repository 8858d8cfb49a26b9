#pragma once
// What the experiments, tracking and models commands share: the tracker over the CLI's instance
// and the JSON and text forms of tracking records.

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cairn/model_registry.hpp"
#include "cairn/tracking.hpp"
#include "cli/cli_env.hpp"

namespace cairn {

/// A Tracker over the instance the command line opened (--home, $CAIRN_HOME or ./.cairn).
tracking::Tracker open_tracker(CliEnv& env);

nlohmann::json to_json(const tracking::Experiment& experiment);
/// With params, latest metrics and tags; metric values that JSON cannot hold (NaN, infinities)
/// are null.
nlohmann::json to_json(const tracking::TrackingRunInfo& run);
nlohmann::json to_json(const tracking::Metric& metric);
nlohmann::json to_json(const tracking::Artifact& artifact);
nlohmann::json to_json(const tracking::RegisteredModel& model);
nlohmann::json to_json(const tracking::ModelVersion& version);
nlohmann::json to_json(const tracking::AliasEvent& event);

/// Tracking runs as a table: id (first 8 characters), experiment, name, status, start time,
/// duration, orchestration run, and their latest metrics.
void print_tracking_runs(std::ostream& out, const std::vector<tracking::TrackingRunInfo>& runs);

/// The duration of a tracking run, "running" while it runs.
std::string tracking_run_duration(const tracking::TrackingRunInfo& run);

/// A metric value as a table shows it: up to 6 significant digits.
std::string format_metric(double value);

/// "v3" or "-" for 0.
std::string format_version(std::int64_t version);

}  // namespace cairn
