#pragma once
/// @file tracking.hpp
/// Experiment tracking, stored in the instance next to the runs (docs/tracking.md): experiments,
/// tracking runs with params (immutable), metrics (append-only history with step and
/// timestamp), tags (overwritable) and artifacts (files copied under the instance's artifact
/// root). Usable from any C++ program through Tracker::open(), and from inside an asset through
/// `ctx.tracking()`, which links the tracking run to the orchestration run and asset.
///
/// @code
///   auto tracker = cairn::tracking::Tracker::open(".cairn");
///   cairn::tracking::TrackingRun run = tracker.start_run("credit-scoring");
///   run.log_params({{"max_depth", "6"}, {"eta", "0.1"}});
///   run.log_metric_series("valid/auc", auc_per_round);  // one transaction for every round
///   run.log_metric("auc", 0.7412);
///   run.log_artifact("/tmp/model.ubj", "model/model.ubj");
///   run.finish();
///   auto best = tracker.search_runs({.experiments = {"credit-scoring"},
///                                    .filter = "metrics.auc > 0.7 and params.max_depth = '6'",
///                                    .order_by = "metrics.auc desc",
///                                    .limit = 5});
/// @endcode
///
/// Vocabulary (DESIGN.md §1): a *run* is an orchestration run (`run_id` everywhere); a *tracking
/// run* is one entry of an experiment, with its own `id`.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cairn/error.hpp"

namespace cairn::tracking {

class TrackingBackend;  // internal: the store and artifact root a Tracker works on
class ModelRegistry;

/// A tracking or registry request that cannot be honoured as given: an empty or malformed name,
/// a param set again with another value, an artifact path leaving its directory, a malformed
/// search filter, deleting a version an alias points to. Nothing was stored.
class TrackingError : public Error {
 public:
  using Error::Error;
};

enum class TrackingRunStatus { kRunning, kFinished, kFailed, kKilled };

/// "RUNNING", "FINISHED", "FAILED", "KILLED".
std::string_view to_string(TrackingRunStatus status);
std::optional<TrackingRunStatus> tracking_run_status_from_string(std::string_view text);

struct Experiment {
  std::int64_t id = 0;
  std::string name{};
  double created_at = 0;  ///< seconds since the Unix epoch
};

/// One value of a metric. Timestamps are seconds since the Unix epoch; 0 in a value passed to
/// TrackingRun::log_metrics means "now".
struct Metric {
  std::string key{};
  double value = 0;
  std::int64_t step = 0;
  double timestamp = 0;
};

/// A file of a tracking run (or model version), stored under the instance's artifact root.
struct Artifact {
  std::string path{};  ///< relative to the tracking run's artifact directory
  std::int64_t size = 0;
  std::string sha256{};  ///< lowercase hex of the file's SHA-256
  double logged_at = 0;
};

/// Where a tracking run comes from when a pipeline step logs it; all empty otherwise.
struct RunLinks {
  std::string run_id{};  ///< the orchestration run
  std::string asset_key{};
  std::string partition_key{};
};

/// A tracking run as stored.
struct TrackingRunInfo {
  std::string id{};
  std::int64_t experiment_id = 0;
  std::string experiment{};  ///< the experiment's name
  std::string name{};
  TrackingRunStatus status = TrackingRunStatus::kRunning;
  double start_time = 0;
  double end_time = 0;  ///< 0 while RUNNING
  RunLinks links{};
  std::map<std::string, std::string> params{};
  /// The latest value of each metric: highest step, then latest timestamp, then latest logged.
  /// NaN when that value was NaN.
  std::map<std::string, double> metrics{};
  std::map<std::string, std::string> tags{};
};

/// Which tracking runs Tracker::search_runs returns, in which order.
///
/// `filter` is conditions joined by `and` (case-insensitive), each `FIELD OP VALUE`:
///   - `metrics.KEY` with `=`, `!=`, `<`, `<=`, `>`, `>=` and a number (compares the latest
///     value; a run without the metric never matches);
///   - `params.KEY`, `tags.KEY` with `=` or `!=` and a 'quoted' or bare value, compared as text
///     (a run without the key never matches);
///   - `status`, `name`, `asset_key`, `partition_key`, `run_id` with `=` or `!=`.
/// A KEY with characters other than letters, digits and `_ - . / :` is written in backquotes:
/// metrics.`val auc`. `order_by` is one such field (`metrics.auc`, `params.eta`, `tags.team`,
/// `start_time`, `end_time`, `name`, `status`) optionally followed by `asc` or `desc` (default
/// `desc`); runs without the value come last, ties newest first. Empty: newest first.
struct RunQuery {
  std::vector<std::string> experiments{};  ///< names; empty: every experiment
  std::string filter{};
  std::string order_by{};
  int limit = 100;  ///< at most this many (0 or less: no limit)
  int offset = 0;   ///< skip this many first, for paging
};

/// The numbers TrackingRun::log_param takes (char is a character, not a number).
template <class T>
concept ParamNumber = std::is_arithmetic_v<T> && !std::is_same_v<T, char>;

/// A handle on one tracking run: cheap to copy; every copy writes to the same tracking run.
///
/// Thread safety: every method may be called from any thread. Params, metrics and artifacts can
/// only be logged while the run is RUNNING; tags can be set at any time. Every method throws
/// StorageError if the instance cannot be written, NotFoundError if the tracking run no longer
/// exists.
class TrackingRun {
 public:
  /// The tracking run's id: 32 lowercase hex digits.
  const std::string& id() const { return id_; }
  /// The name of its experiment.
  const std::string& experiment() const { return experiment_; }

  /// Sets a param. Setting it again with the same value does nothing; with another value throws
  /// TrackingError naming the key and both values (params record what a run was given, so they
  /// never change).
  void log_param(std::string_view key, std::string_view value);
  void log_param(std::string_view key, const char* value) {
    log_param(key, std::string_view(value));
  }
  /// Numbers are written in their shortest exact form ("0.1", "6"), bools as "true"/"false".
  template <ParamNumber T>
  void log_param(std::string_view key, T value) {
    if constexpr (std::is_same_v<T, bool>) {
      log_param(key, std::string_view(value ? "true" : "false"));
    } else if constexpr (std::is_integral_v<T>) {
      log_param(key, std::string_view(std::to_string(value)));
    } else {
      log_param(key, std::string_view(format_number(static_cast<double>(value))));
    }
  }
  /// Sets several params in one transaction: all of them or, on a conflict, none.
  void log_params(const std::map<std::string, std::string>& params);

  /// Appends a value to the metric's history. NaN and infinities are kept as they are.
  void log_metric(std::string_view key, double value, std::int64_t step = 0);
  /// Appends one value per metric, all at `step`, in one transaction.
  void log_metrics(const std::map<std::string, double>& metrics, std::int64_t step = 0);
  /// Appends every value in one transaction (thousands per call are fine).
  void log_metrics(const std::vector<Metric>& metrics);
  /// Appends `values[i]` at step `first_step + i`, in one transaction: a training curve.
  void log_metric_series(std::string_view key, const std::vector<double>& values,
                         std::int64_t first_step = 0);
  /// Every value of a metric in order of step, then timestamp, then logging order.
  std::vector<Metric> metric_history(std::string_view key) const;

  /// Sets or replaces a tag.
  void set_tag(std::string_view key, std::string_view value);
  void set_tags(const std::map<std::string, std::string>& tags);

  /// Copies `local_file` to `destination` (a relative path such as "model/model.ubj"; default:
  /// the file's name) under this run's artifact directory, atomically (temporary file, then a
  /// link that never replaces an existing file), and records its size and SHA-256. Throws
  /// TrackingError if `destination` is absolute, contains `..` or `.` or empty components, or
  /// is already an artifact of this run; Error if `local_file` cannot be read.
  Artifact log_artifact(std::string_view local_file, std::string_view destination = "");
  /// Stores `content` as the artifact `destination` (a report, a JSON summary), like
  /// log_artifact().
  Artifact log_text(std::string_view destination, std::string_view content);
  /// This run's artifacts, sorted by path.
  std::vector<Artifact> list_artifacts() const;
  /// The absolute path of one of this run's artifacts. Throws NotFoundError if it has none by
  /// that path.
  std::string artifact_file(std::string_view path) const;

  /// The tracking run as stored now (params, latest metrics, tags).
  TrackingRunInfo info() const;

  /// Ends the run with `status` (FINISHED, FAILED or KILLED) if it is RUNNING; returns false,
  /// changing nothing, if it had already ended. Throws TrackingError if `status` is RUNNING.
  /// A step's tracking run is ended by the engine when the step ends (FINISHED when it
  /// succeeded, FAILED or KILLED otherwise) unless the step ended it first.
  bool finish(TrackingRunStatus status = TrackingRunStatus::kFinished);

 private:
  friend class Tracker;
  TrackingRun(std::shared_ptr<TrackingBackend> backend, std::string id, std::int64_t experiment_id,
              std::string experiment);
  /// Shortest text that reads back to the same double.
  static std::string format_number(double value);

  std::shared_ptr<TrackingBackend> backend_;
  std::string id_;
  std::int64_t experiment_id_ = 0;
  std::string experiment_;
};

/// Experiments and tracking runs of one instance.
///
/// Thread safety: every method may be called from any thread. Copies share the same open
/// instance, which stays open while a copy, a TrackingRun or a ModelRegistry made from it lives.
class Tracker {
 public:
  /// Opens (creating it if needed) the instance at `home` — the directory a pipeline's
  /// `--home` or `$CAIRN_HOME` names; an empty `home` means `$CAIRN_HOME`, else `./.cairn`.
  /// Throws StorageError if it cannot be opened.
  ///
  /// @code
  ///   auto tracker = cairn::tracking::Tracker::open("/srv/cairn");
  ///   for (const auto& run : tracker.search_runs({.experiments = {"credit/train"}})) ...
  /// @endcode
  static Tracker open(std::string_view home);

  /// Internal: a Tracker over a store that its owner already opened (the engine, the CLI).
  explicit Tracker(std::shared_ptr<TrackingBackend> backend);

  /// The experiment named `name`, created if it does not exist. Throws TrackingError if `name`
  /// is empty or has control characters.
  Experiment get_or_create_experiment(std::string_view name);
  /// Throws NotFoundError, listing the similar names, if there is none by that name.
  Experiment get_experiment(std::string_view name) const;
  /// Sorted by name.
  std::vector<Experiment> list_experiments() const;

  /// Starts a RUNNING tracking run in `experiment` (created if needed), optionally named and
  /// linked to the orchestration run and asset that logs it.
  ///
  /// @code
  ///   auto run = tracker.start_run("credit-scoring", "xgboost depth 6");
  /// @endcode
  TrackingRun start_run(std::string_view experiment, std::string_view name = "",
                        const RunLinks& links = {},
                        const std::map<std::string, std::string>& tags = {});
  /// A handle on an existing tracking run, to log more into it. `id` may be a unique prefix of
  /// at least 4 characters.
  TrackingRun resume_run(std::string_view id) const;

  /// The id of the tracking run named by `id_or_prefix`: an exact id or a unique prefix of at
  /// least 4 characters. Throws NotFoundError if nothing matches or the prefix is ambiguous (the
  /// message lists the matches).
  std::string resolve_run_id(std::string_view id_or_prefix) const;
  /// The tracking run named by an id or a unique prefix. Throws NotFoundError.
  TrackingRunInfo get_run(std::string_view id_or_prefix) const;
  /// Throws NotFoundError for an unknown experiment, TrackingError for a malformed filter or
  /// order (the message points at the offending text).
  std::vector<TrackingRunInfo> search_runs(const RunQuery& query) const;

  /// The model registry of the same instance (cairn/model_registry.hpp).
  ModelRegistry models() const;
  /// The instance's artifact root (absolute).
  std::string artifact_root() const;

 private:
  std::shared_ptr<TrackingBackend> backend_;
};

}  // namespace cairn::tracking
