#pragma once
// What every Tracker, TrackingRun and ModelRegistry handle shares: the instance's TrackingStore,
// its artifact root and, when the handles were opened from a home directory, the Instance that
// owns both. Handles hold it by shared_ptr, so an opened instance stays open while any handle
// lives.

#include <filesystem>
#include <memory>

#include "core/tracking_store.hpp"

namespace cairn {
class Instance;
}

namespace cairn::tracking {

class TrackingBackend {
 public:
  /// Over a store and artifact root whose owner keeps them alive longer than every handle made
  /// from this backend (the engine and the CLI, which hold the Instance).
  TrackingBackend(TrackingStore& store, std::filesystem::path artifact_root);
  /// Owning the instance it works on.
  explicit TrackingBackend(std::unique_ptr<Instance> instance);
  ~TrackingBackend();
  TrackingBackend(const TrackingBackend&) = delete;
  TrackingBackend& operator=(const TrackingBackend&) = delete;

  TrackingStore& store() const { return store_; }
  /// Absolute.
  const std::filesystem::path& artifact_root() const { return artifact_root_; }
  /// Wall-clock time in seconds since the Unix epoch, as recorded in tracking data.
  static double now();

 private:
  std::unique_ptr<Instance> instance_;  // null when the store is borrowed
  TrackingStore& store_;
  std::filesystem::path artifact_root_;
};

/// A backend over an instance that the caller keeps open.
std::shared_ptr<TrackingBackend> borrow_instance(Instance& instance);

/// The instance at `home`, or at Instance::default_home() when `home` is empty, opened for the
/// handles made from the returned backend.
std::shared_ptr<TrackingBackend> open_instance(std::string_view home);

}  // namespace cairn::tracking
