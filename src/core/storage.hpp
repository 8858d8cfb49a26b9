#pragma once
// The instance storage interface the engine and CLI use. Backends (SQLite now, PostgreSQL later)
// implement it with the same schema and pass the same test suite; nothing above this interface
// knows which one it talks to.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/automation_store.hpp"
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

/// The data version of one input a materialization was computed from.
struct InputVersion {
  std::string asset_key;
  std::string partition_key;
  std::string data_version;
  bool operator==(const InputVersion&) const = default;
};

/// What staleness needs of a materialization, without its payload: the asset index's columns.
struct AssetVersionRecord {
  std::string asset_key;
  std::string partition_key;
  std::int64_t event_id = 0;
  double timestamp = 0;
  std::string data_version;
  std::string code_version;
  std::string config_hash;
  std::vector<InputVersion> inputs;
};

/// The latest observation of an asset (× partition).
struct ObservationRecord {
  std::string asset_key;
  std::string partition_key;
  std::string run_id;
  std::int64_t event_id = 0;
  double timestamp = 0;
  std::string data_version;
  std::string payload_json;
};

/// The latest evaluation of one check of an asset (× partition).
struct CheckRecord {
  std::string asset_key;
  std::string partition_key;
  std::string check_name;
  std::string run_id;
  std::int64_t event_id = 0;
  double timestamp = 0;
  bool passed = false;
  std::string severity;  // "warn" or "error"
  bool blocking = false;
  std::string payload_json;
};

/// Events about one asset across runs (its history), newest first.
struct AssetHistoryFilter {
  std::string partition_key;     // only this partition when not empty
  std::vector<EventType> types;  // default: materializations, observations, checks
  std::int64_t before_id = 0;    // only events with id < before_id when > 0 (paging)
  int limit = 100;
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
  /// events update the run's status and times, and the partitions of a backfill the run covers
  /// (RUN_START: in progress; the final event: their outcome, then the backfill's end; see
  /// AutomationStore); ASSET_MATERIALIZATION events update the asset index.
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

  /// The asset index's version columns for every entry (staleness input; no payloads).
  virtual std::vector<AssetVersionRecord> asset_versions() = 0;
  /// Entries with event id > `after_event_id` only (incremental staleness), in event id order.
  virtual std::vector<AssetVersionRecord> asset_versions_after(std::int64_t after_event_id) = 0;
  /// The latest observation of every observed asset (× partition).
  virtual std::vector<ObservationRecord> latest_observations() = 0;
  /// Latest observations with event id > `after_event_id` only (incremental staleness), in event
  /// id order.
  virtual std::vector<ObservationRecord> observations_after(std::int64_t after_event_id) = 0;
  /// The latest evaluation of every check of `asset_key` (every asset when empty).
  virtual std::vector<CheckRecord> latest_check_results(std::string_view asset_key) = 0;
  virtual std::vector<Event> asset_history(std::string_view asset_key,
                                           const AssetHistoryFilter& filter) = 0;
  /// Events of every run with id > after_id of the given types, in id order, at most `limit`
  /// (the daemon follows new materializations and finished runs with this).
  virtual std::vector<Event> events_after(std::int64_t after_id, std::span<const EventType> types,
                                          int limit) = 0;
  /// The id of the newest event, 0 when there is none.
  virtual std::int64_t last_event_id() = 0;

  /// Dynamic partition sets (DESIGN §1). Keys in the order they were added.
  virtual std::vector<std::string> dynamic_partition_keys(std::string_view name) = 0;
  /// Adds the keys not yet in the set, in one transaction; returns those it added.
  virtual std::vector<std::string> add_dynamic_partitions(std::string_view name,
                                                          const std::vector<std::string>& keys) = 0;
  /// Removes the keys; returns those that were present.
  virtual std::vector<std::string> delete_dynamic_partitions(
      std::string_view name, const std::vector<std::string>& keys) = 0;
  /// Every set with its keys.
  virtual std::map<std::string, std::vector<std::string>> all_dynamic_partitions() = 0;

  /// Records the process that took over an existing (queued) run and the steps it planned.
  /// Throws NotFoundError if the run does not exist.
  virtual void claim_run(std::string_view run_id, const std::string& host, std::int64_t pid,
                         const std::vector<std::string>& step_keys) = 0;

  /// Marks the run for cancellation; its process polls is_cancel_requested().
  virtual void request_cancel(std::string_view run_id) = 0;
  virtual bool is_cancel_requested(std::string_view run_id) = 0;

  /// Makes everything committed so far durable against power loss (commits are durable against
  /// a process crash as soon as they return).
  virtual void sync() = 0;

  /// Experiment tracking and the model registry, in the same database.
  virtual TrackingStore& tracking() = 0;
  /// The daemon's state, ticks, run keys, backfills, pools and the run queue, in the same
  /// database.
  virtual AutomationStore& automation() = 0;
};

}  // namespace cairn
