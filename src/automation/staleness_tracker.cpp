#include "automation/staleness_tracker.hpp"

namespace cairn {

StalenessTracker::StalenessTracker(const AssetGraph& graph, Storage& storage,
                                   CurrentVersions current)
    : graph_(graph), storage_(storage), current_(std::move(current)) {}

const StalenessIndex& StalenessTracker::update(std::chrono::sys_seconds now) {
  try {
    const auto dynamic_keys = storage_.all_dynamic_partitions();
    if (!index_ || !space_->keys_unchanged(now, dynamic_keys)) {
      rebuild(now, dynamic_keys);
      return *index_;
    }
    // Read first: an event committed after this read is applied now if the queries below see
    // it, and again (a no-op) at the next update.
    const std::int64_t last_event = storage_.last_event_id();
    for (const AssetVersionRecord& record : storage_.asset_versions_after(seen_event_id_)) {
      index_->apply(record);
    }
    for (const ObservationRecord& observation : storage_.observations_after(seen_event_id_)) {
      index_->apply(observation);
    }
    seen_event_id_ = last_event;
    last_update_ = Update::kIncremental;
    return *index_;
  } catch (...) {
    index_.reset();
    space_.reset();
    throw;
  }
}

void StalenessTracker::rebuild(
    std::chrono::sys_seconds now,
    const std::map<std::string, std::vector<std::string>>& dynamic_keys) {
  index_.reset();  // before its space goes
  space_ = std::make_unique<PartitionSpace>(PartitionSpace::build(graph_, now, dynamic_keys));
  const std::int64_t last_event = storage_.last_event_id();
  index_.emplace(StalenessIndex::build(*space_, storage_.asset_versions(),
                                       storage_.latest_observations(), current_));
  seen_event_id_ = last_event;
  last_update_ = Update::kRebuilt;
  ++rebuilds_;
}

}  // namespace cairn
