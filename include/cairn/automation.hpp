#pragma once
/// @file automation.hpp
/// What the daemon evaluates (docs/automation.md): schedules (cron in a time zone), sensors
/// (functions with a cursor returning run requests), and automation conditions on assets.
///
/// @code
///   cairn::Definitions defs{
///       .assets = {raw, features, model},
///       .jobs = {{.name = "retrain", .selection = "+credit/model"}},
///       .schedules = {{.name = "nightly", .cron = "0 2 * * *", .timezone = "Europe/London",
///                      .job = "retrain"}},
///       .sensors = {{.name = "new_files", .interval = std::chrono::seconds(30),
///                    .job = "retrain",
///                    .evaluate = [](cairn::SensorContext& ctx) {
///                      auto files = list_new_files(ctx.cursor());
///                      if (files.empty()) return cairn::SensorResult::skip("no new files");
///                      cairn::SensorResult r;
///                      for (auto& f : files) r.run_requests.push_back({.run_key = f});
///                      r.cursor = files.back();
///                      return r;
///                    }}}};
/// @endcode

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/error.hpp"

namespace cairn {

/// A cron expression or schedule that cannot be used; the message gives the position.
class ScheduleError : public Error {
 public:
  using Error::Error;
};

/// When the daemon should materialize an asset by itself (`.automation(cairn::eager())`).
struct AutomationCondition {
  enum class Kind {
    kEager,      ///< when an upstream has new data (or it is missing), all upstreams exist,
                 ///< nothing upstream is in progress, and upstream blocking checks passed
    kOnCron,     ///< once per cron tick, after all upstreams updated since the tick
    kOnMissing,  ///< when it (or a partition of it) has never been materialized
  };
  Kind kind = Kind::kEager;
  std::string cron{};      ///< kOnCron
  std::string timezone{};  ///< kOnCron; IANA name
};

AutomationCondition eager();
AutomationCondition on_missing();
AutomationCondition on_cron(std::string cron, std::string timezone = "UTC");

/// A request for one run, returned by a sensor or a schedule.
struct RunRequest {
  /// Deduplicates: a run key is launched at most once per sensor or schedule, ever. Empty: no
  /// deduplication (every evaluation returning it launches a run).
  std::string run_key{};
  /// What to materialize: a job name, or a selection expression; empty both: the sensor's or
  /// schedule's job.
  std::string job{};
  std::string selection{};
  /// Partition keys of the partitioned assets selected; empty: unpartitioned.
  std::vector<std::string> partition_keys{};
  std::string config_json{};  ///< empty: the job's default config
  std::map<std::string, std::string> tags{};
  int priority = 0;  ///< higher launches first when the run queue is full
};

/// What a sensor's evaluation returns.
struct SensorResult {
  std::vector<RunRequest> run_requests{};
  /// Why nothing was requested, shown with the tick.
  std::string skip_reason{};
  /// Stored after the tick commits and given back at the next evaluation; nullopt: unchanged.
  std::optional<std::string> cursor{};
  /// Keys to add to dynamic partition sets, by set name, committed with the tick.
  std::map<std::string, std::vector<std::string>> add_dynamic_partitions{};

  static SensorResult skip(std::string reason) {
    SensorResult r;
    r.skip_reason = std::move(reason);
    return r;
  }
};

/// One materialization seen by an asset sensor.
struct MaterializationInfo {
  std::string asset_key;
  std::string partition_key;
  std::string run_id;
  std::int64_t event_id = 0;
  double timestamp = 0;
  std::string data_version;
};

/// One finished run seen by a run-status sensor.
struct RunInfo {
  std::string run_id;
  std::string job_name;
  std::string status;  ///< SUCCESS, FAILURE or CANCELED
  std::string failure_reason;
  std::map<std::string, std::string> tags;
  double ended_at = 0;
};

/// What a sensor function sees. Valid during the evaluation only.
class SensorContext {
 public:
  virtual ~SensorContext() = default;
  virtual const std::string& sensor_name() const = 0;
  /// The cursor stored by the last tick that set one; empty at first.
  virtual const std::string& cursor() const = 0;
  /// The daemon's clock.
  virtual std::chrono::system_clock::time_point now() const = 0;
  /// Recorded with the tick (shown by `ticks` and the UI).
  virtual void log(std::string_view message) = 0;
  /// Asset sensors: the new materializations of the watched assets since the last tick, oldest
  /// first (the daemon keeps this position in the cursor for you). Empty for other sensors.
  virtual const std::vector<MaterializationInfo>& new_materializations() const = 0;
  /// Run-status sensors: the runs of the watched status (and job) that finished since the
  /// last tick, oldest first. Empty for other sensors.
  virtual const std::vector<RunInfo>& finished_runs() const = 0;
  /// The current keys of a dynamic partition set.
  virtual std::vector<std::string> dynamic_partition_keys(std::string_view name) = 0;
};

struct Schedule {
  std::string name{};
  /// Five fields (minute hour day-of-month month day-of-week) with ranges, steps, lists and
  /// names (jan, mon), or a macro (@hourly, @daily, @weekly, @monthly, @yearly).
  std::string cron{};
  std::string timezone = "UTC";
  std::string job{};
  /// On start, request runs for the ticks missed while the daemon was down (up to
  /// max_catch_up_ticks, oldest first); false: only the latest missed tick.
  bool catch_up = false;
  int max_catch_up_ticks = 100;
  bool running_by_default = true;
  /// Optional: shapes the request of each tick (config, tags) or skips it (nullopt). By default
  /// a tick requests the job; for a job of time-partitioned assets, the partition whose window
  /// ended at the tick.
  std::function<std::optional<RunRequest>(std::chrono::system_clock::time_point tick,
                                          const RunRequest& default_request)>
      customize{};
};

struct Sensor {
  enum class Kind { kCustom, kAsset, kRunStatus };
  std::string name{};
  Kind kind = Kind::kCustom;
  std::chrono::seconds interval{30};
  /// The job requested by run requests that name none.
  std::string job{};
  bool running_by_default = true;
  /// kAsset: the assets whose new materializations the sensor sees.
  std::vector<std::string> assets{};
  /// kRunStatus: the final statuses (SUCCESS, FAILURE, CANCELED) and, if not empty, the jobs
  /// whose runs the sensor sees.
  std::vector<std::string> run_statuses{};
  std::vector<std::string> run_jobs{};
  std::function<SensorResult(SensorContext&)> evaluate{};
};

/// An asset sensor: `evaluate` sees ctx.new_materializations() of `assets`.
Sensor asset_sensor(std::string name, std::vector<std::string> assets,
                    std::function<SensorResult(SensorContext&)> evaluate);
/// A run-status sensor: `evaluate` sees ctx.finished_runs() that ended with one of `statuses`
/// ("SUCCESS", "FAILURE", "CANCELED"), e.g. to alert on failures.
Sensor run_status_sensor(std::string name, std::vector<std::string> statuses,
                         std::function<SensorResult(SensorContext&)> evaluate);

/// Limits of the run queue (the daemon launches queued runs under them).
struct RunQueueSettings {
  int max_concurrent_runs = 4;
  /// At most `limit` running runs with tag key=value (value "*": per distinct value).
  struct TagLimit {
    std::string key{};
    std::string value{};
    int limit = 1;
  };
  std::vector<TagLimit> tag_limits{};
  /// A run whose process has not heartbeated for this long is marked FAILURE.
  std::chrono::seconds heartbeat_timeout{60};
  /// A run failed by the monitor is re-executed from its failure up to this many times.
  int max_resume_attempts = 0;
};

}  // namespace cairn
