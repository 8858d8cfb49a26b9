#pragma once
/// @file context.hpp
/// What a running step sees of cairn: its identity, logging, metadata, cancellation, resources,
/// and its experiment tracking. Implemented by the engine; a Context is valid only during the
/// compute call it is passed to and is not shared between threads.

#include <map>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "cairn/error.hpp"
#include "cairn/metadata.hpp"
#include "cairn/partitions.hpp"

namespace cairn {

namespace tracking {
class ModelRegistry;
class TrackingRun;
}  // namespace tracking

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Context {
 public:
  virtual ~Context() = default;

  virtual const std::string& run_id() const = 0;
  virtual const std::string& asset_key() const = 0;
  /// 1 for the first attempt, 2 for the first retry, ...
  virtual int attempt() const = 0;
  /// Tags of the run (from the job, the CLI's --tag, or a re-executed parent).
  virtual const std::map<std::string, std::string>& run_tags() const = 0;

  /// The partition this step computes; empty when the asset is not partitioned.
  virtual const std::string& partition_key() const = 0;
  /// The time window of this step's partition. Throws PartitionError if the asset is not
  /// partitioned by time windows.
  virtual TimeWindow partition_window() const = 0;
  /// Adds keys to the dynamic partition set `name` (keys already present are ignored). Recorded
  /// as an event of this step and committed with it; the daemon's eager automation then
  /// materializes the new partitions of assets partitioned by that set. Throws PartitionError on
  /// a key with characters outside [A-Za-z0-9_.:@+-].
  virtual void add_dynamic_partitions(std::string_view name, std::vector<std::string> keys) = 0;
  /// Overrides the data version recorded for this materialization (by default derived from the
  /// code version, the config and the inputs' data versions), e.g. with a hash of the content:
  /// downstream assets then stay up to date when a recomputation produced the same data.
  virtual void set_data_version(std::string version) = 0;

  /// Records a log line as an event of this step (durable, shown by `runs logs`).
  virtual void log(LogLevel level, std::string_view message) = 0;
  void log_debug(std::string_view m) { log(LogLevel::kDebug, m); }
  void log_info(std::string_view m) { log(LogLevel::kInfo, m); }
  void log_warning(std::string_view m) { log(LogLevel::kWarning, m); }
  void log_error(std::string_view m) { log(LogLevel::kError, m); }

  /// Attaches metadata to this step's materialization; a later value for a label replaces an
  /// earlier one. Recorded only if the step succeeds.
  virtual void add_metadata(std::string label, MetadataValue value) = 0;

  /// True once the run is being cancelled or this step's timeout has passed. Long computations
  /// should check it (or call throw_if_cancelled()) between units of work: in-process steps
  /// stop cooperatively.
  virtual bool is_cancelled() const = 0;
  void throw_if_cancelled() const {
    if (is_cancelled()) throw StepCanceled("step '" + asset_key() + "' was asked to stop");
  }

  /// This step's tracking run (cairn/tracking.hpp), started on the first call in the
  /// experiment named after the asset key, linked to this run, asset and partition and tagged
  /// with the run's tags. The engine ends it when the step ends: FINISHED if the step
  /// succeeded, FAILED (or KILLED when cancelled) otherwise. Each attempt of a retried step
  /// gets its own tracking run.
  ///
  /// @code
  ///   auto& run = ctx.tracking();
  ///   run.log_params({{"max_depth", "6"}});
  ///   run.log_metric("auc", auc);
  /// @endcode
  virtual tracking::TrackingRun& tracking() = 0;
  /// The same, in the experiment `experiment` rather than the asset key's. Throws cairn::Error
  /// if this step's tracking run was already started in another experiment.
  virtual tracking::TrackingRun& tracking(std::string_view experiment) = 0;
  /// The model registry of this run's instance (cairn/model_registry.hpp).
  virtual tracking::ModelRegistry& model_registry() = 0;

  /// The resource registered under `key` in Definitions::resources, which this asset must have
  /// declared with `.require_resource(key)`. Throws cairn::Error if it was not declared or has
  /// another type.
  template <class R>
  R& resource(std::string_view key) {
    return *static_cast<R*>(resource_ptr(key, typeid(R)));
  }

 protected:
  virtual void* resource_ptr(std::string_view key, const std::type_info& type) = 0;
};

}  // namespace cairn
