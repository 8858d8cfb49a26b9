#include "exec/step_context.hpp"

#include <algorithm>

#include "cairn/asset.hpp"
#include "core/type_name.hpp"
#include "exec/materialization_payload.hpp"

namespace cairn {

StepContext::StepContext(const std::string& run_id,
                         const std::map<std::string, std::string>& run_tags,
                         const AssetDefinition& asset, int attempt, const std::atomic<bool>& stop,
                         const std::map<std::string, Resource>& resources, EventSink& sink,
                         Clock& clock)
    : run_id_(run_id),
      run_tags_(run_tags),
      asset_(asset),
      attempt_(attempt),
      stop_(stop),
      resources_(resources),
      sink_(sink),
      clock_(clock) {}

const std::string& StepContext::asset_key() const {
  return asset_.key;
}

void StepContext::log(LogLevel level, std::string_view message) {
  Event e;
  e.run_id = run_id_;
  e.timestamp = to_epoch_seconds(clock_.now());
  e.type = EventType::kLog;
  e.step_key = asset_.key;
  e.asset_key = asset_.key;
  e.level = level;
  e.message = std::string(message);
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

}  // namespace cairn
