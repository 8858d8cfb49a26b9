#include "exec/step_context.hpp"

#include <algorithm>

#include "cairn/asset.hpp"
#include "core/type_name.hpp"
#include "exec/materialization_payload.hpp"
#include "partitions/partition_key.hpp"

namespace cairn {

StepContext::StepContext(const std::string& run_id,
                         const std::map<std::string, std::string>& run_tags,
                         const AssetDefinition& asset, const std::string& step_key,
                         const std::string& partition_key, int attempt,
                         const std::atomic<bool>& stop,
                         const std::map<std::string, Resource>& resources, EventSink& sink,
                         Clock& clock, tracking::Tracker* tracker)
    : run_id_(run_id),
      run_tags_(run_tags),
      asset_(asset),
      step_key_(step_key),
      partition_key_(partition_key),
      attempt_(attempt),
      stop_(stop),
      resources_(resources),
      sink_(sink),
      clock_(clock),
      tracker_(tracker) {}

const std::string& StepContext::asset_key() const {
  return asset_.key;
}

void StepContext::log(LogLevel level, std::string_view message) {
  Event e;
  e.run_id = run_id_;
  e.timestamp = to_epoch_seconds(clock_.now());
  e.type = EventType::kLog;
  e.step_key = step_key_;
  e.asset_key = asset_.key;
  e.partition_key = partition_key_;
  e.level = level;
  e.message = std::string(message);
  sink_.emit(std::move(e));
}

TimeWindow StepContext::partition_window() const {
  if (!asset_.partitions || asset_.partitions->kind() != PartitionsKind::kTimeWindow) {
    throw PartitionError("asset '" + asset_.key +
                         "' is not partitioned by time windows, so its steps have no partition "
                         "window; use ctx.partition_key() or partition it with cairn::daily(...)");
  }
  return asset_.partitions->window(partition_key_);
}

void StepContext::add_dynamic_partitions(std::string_view name, std::vector<std::string> keys) {
  std::string what = "dynamic partition set '" + std::string(name) + "'";
  dynamic_partitions(std::string(name));  // validates the name
  for (const auto& key : keys) validate_partition_key(key, what);
  Event e;
  e.run_id = run_id_;
  e.timestamp = to_epoch_seconds(clock_.now());
  e.type = EventType::kDynamicPartitionsAdded;
  e.step_key = step_key_;
  e.asset_key = asset_.key;
  e.partition_key = partition_key_;
  e.message = "added " + std::to_string(keys.size()) + " key(s) to " + what;
  e.payload_json = dynamic_partitions_payload(name, keys);
  sink_.emit(std::move(e));
}

void StepContext::add_metadata(std::string label, MetadataValue value) {
  check_metadata_value(label, value);
  metadata_.insert_or_assign(std::move(label), std::move(value));
}

void* StepContext::resource_ptr(std::string_view key, const std::type_info& type) {
  const auto& declared = asset_.required_resources;
  if (std::find(declared.begin(), declared.end(), key) == declared.end()) {
    throw Error("asset '" + asset_.key + "' uses resource '" + std::string(key) +
                "' without declaring it; add .require_resource(\"" + std::string(key) +
                "\") to its definition");
  }
  auto it = resources_.find(std::string(key));
  if (it == resources_.end()) {
    throw Error("resource '" + std::string(key) + "' is not in Definitions::resources");
  }
  if (it->second.type() != type) {
    throw Error("resource '" + std::string(key) + "' holds a " + type_name(it->second.type()) +
                ", but asset '" + asset_.key + "' asked for a " + type_name(type));
  }
  return it->second.get();
}

tracking::Tracker& StepContext::tracker() {
  if (tracker_ == nullptr) {
    throw Error("step '" + asset_.key +
                "' has no experiment tracking: this run was executed without an instance; run it "
                "through the pipeline's command line (materialize) or give the engine a tracker");
  }
  return *tracker_;
}

tracking::TrackingRun& StepContext::tracking() {
  return tracking_run_ ? *tracking_run_ : tracking(asset_.key);
}

tracking::TrackingRun& StepContext::tracking(std::string_view experiment) {
  if (tracking_run_) {
    if (tracking_run_->experiment() != experiment) {
      throw Error("step '" + asset_.key + "' already logs to tracking run " + tracking_run_->id() +
                  " in experiment '" + tracking_run_->experiment() + "', not '" +
                  std::string(experiment) + "'; a step has one tracking run: call ctx.tracking(\"" +
                  std::string(experiment) + "\") before any other ctx.tracking()");
    }
    return *tracking_run_;
  }
  std::map<std::string, std::string> tags = run_tags_;
  tags["cairn.attempt"] = std::to_string(attempt_);
  tracking_run_ =
      tracker().start_run(experiment, asset_.key, {run_id_, asset_.key, partition_key_}, tags);
  return *tracking_run_;
}

tracking::ModelRegistry& StepContext::model_registry() {
  if (!registry_) registry_ = tracker().models();
  return *registry_;
}

}  // namespace cairn
