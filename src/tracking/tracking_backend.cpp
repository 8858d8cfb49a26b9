#include "tracking/tracking_backend.hpp"

#include <chrono>

#include "core/clock.hpp"
#include "storage/instance.hpp"

namespace cairn::tracking {

TrackingBackend::TrackingBackend(TrackingStore& store, std::filesystem::path artifact_root)
    : store_(store), artifact_root_(std::move(artifact_root)) {}

TrackingBackend::TrackingBackend(std::unique_ptr<Instance> instance)
    : instance_(std::move(instance)),
      store_(instance_->storage().tracking()),
      artifact_root_(instance_->artifacts_dir()) {}

TrackingBackend::~TrackingBackend() = default;

double TrackingBackend::now() {
  return to_epoch_seconds(std::chrono::system_clock::now());
}

std::shared_ptr<TrackingBackend> borrow_instance(Instance& instance) {
  return std::make_shared<TrackingBackend>(instance.storage().tracking(), instance.artifacts_dir());
}

std::shared_ptr<TrackingBackend> open_instance(std::string_view home) {
  return std::make_shared<TrackingBackend>(
      Instance::open(home.empty() ? Instance::default_home() : std::string(home)));
}

}  // namespace cairn::tracking
