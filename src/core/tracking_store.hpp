#pragma once
// The instance storage of experiment tracking and the model registry (docs/tracking.md). A part
// of Storage (Storage::tracking()): every backend implements it over its own connection, with the
// same schema and the same contract tests, so that tracking data lives in the same instance as
// the runs. src/tracking builds the public API (Tracker, TrackingRun, ModelRegistry) on it and
// checks names and files before calling it; the store enforces what needs the stored state
// (params never change, logging only into running runs, aliases and versions stay consistent)
// inside the transaction that writes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/model_registry.hpp"
#include "cairn/tracking.hpp"

namespace cairn {

struct NewTrackingRun {
  std::string id;
  std::int64_t experiment_id = 0;
  std::string name;
  double start_time = 0;
  tracking::RunLinks links;
  std::map<std::string, std::string> tags;
};

/// What a search condition or an order looks at.
enum class RunField {
  kMetric,  // the latest value of metric `key`
  kParam,
  kTag,
  kStatus,
  kName,
  kAssetKey,
  kPartitionKey,
  kRunId,  // the orchestration run
  kStartTime,
  kEndTime,
};

enum class Comparison { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

/// One condition of a search. Metrics compare with `number`; everything else compares as text
/// with `text`, and only with kEqual or kNotEqual (the parser guarantees it).
struct RunCondition {
  RunField field = RunField::kStatus;
  std::string key;  // for kMetric, kParam, kTag
  Comparison op = Comparison::kEqual;
  std::string text;
  double number = 0;
};

struct RunOrder {
  RunField field = RunField::kStartTime;  // not kRunId or kAssetKey
  std::string key;
  bool descending = true;
};

struct RunSearch {
  std::vector<std::int64_t> experiment_ids;  // empty: every experiment
  std::vector<RunCondition> conditions;      // all must hold
  RunOrder order;                            // then newest first
  int limit = 100;                           // 0 or less: no limit
  int offset = 0;
};

/// Thread safety: every method may be called from any thread; implementations serialize
/// internally. Each method is one transaction. Errors: NotFoundError for an unknown experiment,
/// tracking run, model, version or alias (named in the message); tracking::TrackingError for a
/// request the stored state refuses; StorageError when the instance cannot be read or written.
class TrackingStore {
 public:
  virtual ~TrackingStore() = default;

  // ---- experiments ------------------------------------------------------------------------

  virtual tracking::Experiment get_or_create_experiment(std::string_view name, double now) = 0;
  virtual std::optional<tracking::Experiment> find_experiment(std::string_view name) = 0;
  /// Sorted by name.
  virtual std::vector<tracking::Experiment> list_experiments() = 0;

  // ---- tracking runs ----------------------------------------------------------------------

  /// Adds a RUNNING tracking run with its tags. Throws StorageError if the id exists,
  /// NotFoundError if the experiment does not.
  virtual void add_tracking_run(const NewTrackingRun& run) = 0;
  /// With its params, latest metrics and tags.
  virtual std::optional<tracking::TrackingRunInfo> get_tracking_run(std::string_view id) = 0;
  /// Ids starting with `prefix`, sorted, at most `limit`.
  virtual std::vector<std::string> find_tracking_run_ids(std::string_view prefix, int limit) = 0;
  /// Runs matching `search`, with params, latest metrics and tags.
  virtual std::vector<tracking::TrackingRunInfo> search_tracking_runs(const RunSearch& search) = 0;
  /// Ends a RUNNING tracking run. Returns false (changing nothing) if it had already ended.
  virtual bool end_tracking_run(std::string_view id, tracking::TrackingRunStatus status,
                                double end_time) = 0;
  /// Ends every RUNNING tracking run of orchestration run `run_id` (whose process died); returns
  /// their ids.
  virtual std::vector<std::string> end_tracking_runs_of_run(std::string_view run_id,
                                                            tracking::TrackingRunStatus status,
                                                            double end_time) = 0;

  /// All or nothing. Throws TrackingError if the run is not RUNNING or a key already has
  /// another value (naming the key and both values).
  virtual void log_params(std::string_view id,
                          const std::map<std::string, std::string>& params) = 0;
  /// Appends every metric (timestamps as given). Throws TrackingError if the run is not RUNNING.
  virtual void log_metrics(std::string_view id, const std::vector<tracking::Metric>& metrics) = 0;
  /// Sets or replaces tags, whatever the run's status.
  virtual void set_tags(std::string_view id, const std::map<std::string, std::string>& tags) = 0;
  /// In order of step, timestamp, then logging order.
  virtual std::vector<tracking::Metric> metric_history(std::string_view id,
                                                       std::string_view key) = 0;
  /// Records an artifact whose file is already in place. Throws TrackingError if the run is not
  /// RUNNING or already has an artifact at that path.
  virtual void add_artifact(std::string_view id, const tracking::Artifact& artifact) = 0;
  /// Sorted by path.
  virtual std::vector<tracking::Artifact> list_artifacts(std::string_view id) = 0;

  // ---- model registry ---------------------------------------------------------------------

  /// Creates the model, or returns it (replacing its description when `description` is not
  /// empty).
  virtual tracking::RegisteredModel register_model(std::string_view name,
                                                   std::string_view description, double now) = 0;
  virtual std::optional<tracking::RegisteredModel> find_model(std::string_view name) = 0;
  /// Sorted by name.
  virtual std::vector<tracking::RegisteredModel> list_models() = 0;
  /// Takes the model's next version number (committed at once, so that its file can be copied
  /// to a path named after it before the version is added).
  virtual std::int64_t reserve_model_version(std::string_view model) = 0;
  /// Adds a version whose number was reserved. Throws NotFoundError if `version.tracking_run_id`
  /// is not empty and names no tracking run.
  virtual void add_model_version(const tracking::ModelVersion& version) = 0;
  virtual std::optional<tracking::ModelVersion> find_model_version(std::string_view model,
                                                                   std::int64_t version) = 0;
  /// Oldest first.
  virtual std::vector<tracking::ModelVersion> list_model_versions(std::string_view model) = 0;
  /// Points `alias` at `version` (making it ACTIVE) and records the move; when
  /// `archive_previous`, archives the previous holder unless another alias points to it.
  /// Moving an alias to its current holder records nothing and returns an event with
  /// from_version == to_version.
  virtual tracking::AliasEvent move_alias(std::string_view model, std::string_view alias,
                                          std::int64_t version, bool archive_previous,
                                          std::string_view reason, double now) = 0;
  virtual void remove_alias(std::string_view model, std::string_view alias, std::string_view reason,
                            double now) = 0;
  /// Throws TrackingError if an alias points to the version.
  virtual void archive_model_version(std::string_view model, std::int64_t version) = 0;
  /// Throws TrackingError if an alias points to the version.
  virtual void delete_model_version(std::string_view model, std::int64_t version) = 0;
  /// Oldest first; every alias when `alias` is empty.
  virtual std::vector<tracking::AliasEvent> alias_history(std::string_view model,
                                                          std::string_view alias) = 0;
};

}  // namespace cairn
