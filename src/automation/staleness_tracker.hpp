#pragma once
// The daemon's StalenessIndex, kept up to date across automation evaluations
// (docs/automation.md, "Automation conditions").
//
// Design note: an evaluation used to build the partition space and the index from scratch,
// loading every entry of the asset index (100 000 entries: about 100 ms to load, as long again to
// evaluate). The tracker keeps both and, at each update, applies only the materializations and
// observations recorded since the last one (Storage::asset_versions_after and
// observations_after, from the last event id it saw) through StalenessIndex::apply, which
// re-evaluates what they reach downstream. It rebuilds from storage only when the incremental
// path cannot express the change:
//  - on the first update;
//  - when the partition keys changed: a time window ended (a new day of a daily asset) or a
//    dynamic set gained or lost keys. The index numbers steps densely asset by asset, so a new
//    key shifts every step after it; PartitionSpace::keys_unchanged() detects it cheaply;
//  - after an update that failed halfway (the index may hold part of a change).
// Nothing else changes a step's state: code versions and config hashes are the binary's own
// (fixed for the daemon's life), and the asset and observation indexes only ever move to newer
// events. Rejected: rebuilding on a timer (stale in between, wasted work otherwise) and growing the
// index in place for new keys (a second numbering scheme for a rare event).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/storage.hpp"
#include "plan/staleness.hpp"

namespace cairn {

/// Thread safety: one thread at a time (the daemon loop). `graph` and `storage` must outlive it.
///
/// @code
///   cairn::StalenessTracker tracker(graph, storage, cairn::current_versions(graph, nullptr));
///   const cairn::StalenessIndex& index = tracker.update(floor_seconds(clock.now()));
///   evaluator.evaluate({.staleness = index, ...}, cursor);
/// @endcode
class StalenessTracker {
 public:
  StalenessTracker(const AssetGraph& graph, Storage& storage, CurrentVersions current);

  /// How the last update() brought the index up to date.
  enum class Update { kRebuilt, kIncremental };

  /// Brings the index up to date with storage at `now` and returns it; valid until the next
  /// update(). Throws StorageError if storage cannot be read (the next update rebuilds).
  const StalenessIndex& update(std::chrono::sys_seconds now);

  Update last_update() const { return last_update_; }
  /// How many updates rebuilt the index.
  std::int64_t rebuilds() const { return rebuilds_; }

 private:
  void rebuild(std::chrono::sys_seconds now,
               const std::map<std::string, std::vector<std::string>>& dynamic_keys);

  const AssetGraph& graph_;
  Storage& storage_;
  const CurrentVersions current_;
  std::unique_ptr<PartitionSpace> space_;  // the index points into it: kept at one address
  std::optional<StalenessIndex> index_;
  std::int64_t seen_event_id_ = 0;  // every event up to it is in the index
  Update last_update_ = Update::kRebuilt;
  std::int64_t rebuilds_ = 0;
};

}  // namespace cairn
