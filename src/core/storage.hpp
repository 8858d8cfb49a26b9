#pragma once
// The instance storage interface the engine and CLI use. Backends (SQLite now, PostgreSQL later)
// implement it with the same schema and pass the same test suite; nothing above this interface
// knows which one it talks to.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/run_record.hpp"
#include "core/tracking_store.hpp"

namespace cairn {

/// The latest materialization of an asset (× partition), as kept by the asset index.
struct MaterializationRecord {
  std::string asset_key;
  std::string partition_key;
  std::string run_id;
  std::int64_t event_id = 0;
  double timestamp = 0;
  std::string payload_json;  // as in the ASSET_MATERIALIZATION event
};

struct EventFilter {
  std::int64_t after_id = 0;  // only events with id > after_id
  std::string step_key;       // only this step's events when not empty
  int limit = 0;              // 0: no limit
};

/// Thread safety: every method may be called from any thread; implementations serialize
/// internally. Errors are reported as cairn::StorageError (or NotFoundError where stated).
class Storage {
 public:
  virtual ~Storage() = default;

  virtual void add_run(const RunRecord& run) = 0;
  /// Appends `events` in one transaction and assigns their ids. In the same transaction: run
  /// events update the run's status and times, ASSET_MATERIALIZATION events update the asset
  /// index.
  virtual void append_events(std::vector<Event>& events) = 0;

  virtual std::optional<RunRecord> get_run(std::string_view run_id) = 0;
  /// Newest first.
  virtual std::vector<RunRecord> list_runs(const RunFilter& filter) = 0;
  /// Run ids starting with `prefix` (for short ids typed by users), at most `limit`.
  virtual std::vector<std::string> find_run_ids(std::string_view prefix, int limit) = 0;
  /// Runs that are STARTING or STARTED (candidates for dead-process detection).
  virtual std::vector<RunRecord> unfinished_runs() = 0;

  /// Events of a run in id order.
  virtual std::vector<Event> run_events(std::string_view run_id, const EventFilter& filter) = 0;

  virtual std::optional<MaterializationRecord> latest_materialization(
      std::string_view asset_key, std::string_view partition_key) = 0;
  /// Every entry of the asset index.
  virtual std::vector<MaterializationRecord> latest_materializations() = 0;

  /// Marks the run for cancellation; its process polls is_cancel_requested().
  virtual void request_cancel(std::string_view run_id) = 0;
  virtual bool is_cancel_requested(std::string_view run_id) = 0;

  /// Makes everything committed so far durable against power loss (commits are durable against
  /// a process crash as soon as they return).
  virtual void sync() = 0;

  /// Experiment tracking and the model registry, in the same database.
  virtual TrackingStore& tracking() = 0;
};

}  // namespace cairn
