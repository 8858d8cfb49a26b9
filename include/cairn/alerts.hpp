#pragma once
/// @file alerts.hpp
/// Alerts on finished runs (docs/automation.md, "Alerts"): a run-status sensor that delivers
/// one message per run that ended with a watched status to files, commands or webhooks.
///
/// @code
///   cairn::Definitions defs{
///       .assets = {...},
///       .sensors = {cairn::run_alert_sensor(
///           "alert_on_failure",
///           {cairn::alert_to_file("/var/log/cairn/alerts.jsonl"),
///            cairn::alert_webhook("http://127.0.0.1:9000/hooks/cairn")})}};
/// @endcode

#include <string>
#include <string_view>
#include <vector>

#include "cairn/automation.hpp"

namespace cairn {

/// Where an alert is delivered.
struct AlertDestination {
  enum class Kind { kFile, kCommand, kWebhook };
  Kind kind = Kind::kFile;
  std::string target{};  ///< the file path, the shell command, or the http:// URL
};

/// Appends the alert as one JSON object on one line to `path`, creating the file and its
/// directories if needed. The line is fsynced before the alert counts as delivered; lines
/// appended at the same time by other daemons or programs never interleave. Throws cairn::Error
/// for an empty path.
AlertDestination alert_to_file(std::string path);

/// Runs `command` with /bin/sh -c, the alert JSON on its standard input and CAIRN_RUN_ID,
/// CAIRN_RUN_STATUS, CAIRN_JOB and CAIRN_FAILURE_REASON in its environment. A non-zero exit, a
/// signal, or still running after 30 seconds (its process group is then killed) is a failed
/// delivery. Throws cairn::Error for an empty command.
AlertDestination alert_command(std::string command);

/// POSTs the alert JSON (Content-Type: application/json) to an http:// URL. An answer other
/// than 2xx, or none within 10 seconds, is a failed delivery. Throws cairn::Error for a URL
/// that is not http:// (for https, use alert_command with curl).
AlertDestination alert_webhook(std::string url);

/// A run-status sensor that delivers an alert for every run that finished with one of
/// `statuses` ("SUCCESS", "FAILURE", "CANCELED") and, if `jobs` is not empty, belongs to one
/// of them, to each destination. Delivery is at least once: a failed delivery fails the tick
/// (the error is recorded with it), the sensor's position does not move, and the next tick
/// delivers that run's alert again (only to the destinations that have not received it, unless
/// the daemon restarted in between). Throws cairn::Error, naming the sensor, for no destination,
/// an unknown status or a webhook URL alert_webhook would refuse.
Sensor run_alert_sensor(std::string name, std::vector<AlertDestination> destinations,
                        std::vector<std::string> statuses = {"FAILURE"},
                        std::vector<std::string> jobs = {});

/// The alert for one run, as delivered: a JSON object with sensor, run_id, job, status,
/// failure_reason, tags and ended_at (seconds since the epoch).
std::string alert_json(const RunInfo& run, std::string_view sensor_name);

}  // namespace cairn
