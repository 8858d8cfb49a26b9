#pragma once
// A pipeline and a fake asset index for staleness and automation tests: materialize() records
// what the engine would (the inputs' current data versions, the observed version of the asset
// itself, the derived data version unless the test supplies one), so tests read as a sequence of
// runs.

#include <date/date.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cairn/cairn.hpp"
#include "compute_functions.hpp"
#include "core/data_version.hpp"
#include "plan/partition_space.hpp"
#include "plan/staleness.hpp"

namespace cairn::testing {

inline std::chrono::sys_seconds utc(int y, unsigned m, unsigned d, int hour = 0, int minute = 0) {
  return date::sys_days(date::year(y) / date::month(m) / date::day(d)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute);
}

/// One dependency of a hand-built asset.
struct Dep {
  std::string key;
  PartitionMapping mapping{};
};

/// The type-erased definition of an int asset with any number of dependencies (the typed
/// builder needs the arity at compile time; random graphs do not have it).
struct AssetSpec {
  std::string key;
  std::vector<Dep> deps{};
  std::optional<PartitionsDefinition> partitions{};
  std::optional<AutomationCondition> automation{};
  std::vector<std::string> after{};
  std::string code_version{};
};

inline AssetRef make_asset(const AssetSpec& spec) {
  auto def = std::make_shared<AssetDefinition>(asset<int>(spec.key).compute(leaf).definition());
  for (const Dep& dep : spec.deps) {
    def->deps.push_back(dep.key);
    AssetDefinition::CollectFn collect = nullptr;
    if (dep.mapping.kind == PartitionMapping::Kind::kAll) {
      collect = [](std::vector<std::pair<std::string, AnyValue>>&&) { return AnyValue::of(0); };
    }
    def->dep_partitions.push_back({dep.mapping, collect});
  }
  def->partitions = spec.partitions;
  def->automation = spec.automation;
  def->after = spec.after;
  def->code_version = spec.code_version;
  return AssetRef(def);
}

inline Dep offset(std::string key, int windows) {
  return {std::move(key),
          PartitionMapping{.kind = PartitionMapping::Kind::kOffset, .offset = windows}};
}
inline Dep all_of(std::string key) {
  return {std::move(key), PartitionMapping{.kind = PartitionMapping::Kind::kAll}};
}

/// A graph, the space at `now`, and the asset index of everything materialized so far.
class Pipeline {
 public:
  explicit Pipeline(std::vector<AssetSpec> specs, std::chrono::sys_seconds now = utc(2025, 1, 4),
                    std::map<std::string, std::vector<std::string>> dynamic = {}) {
    Definitions defs;
    for (const AssetSpec& spec : specs) defs.assets.push_back(make_asset(spec));
    graph_ = std::make_unique<AssetGraph>(AssetGraph::build(defs));
    dynamic_ = std::move(dynamic);
    set_now(now);
  }

  const AssetGraph& graph() const { return *graph_; }
  const PartitionSpace& space() const { return *space_; }

  /// Moves time (new time windows appear); the index must be rebuilt.
  void set_now(std::chrono::sys_seconds now) {
    now_ = now;
    space_ = std::make_unique<PartitionSpace>(PartitionSpace::build(*graph_, now_, dynamic_));
  }
  void add_dynamic(const std::string& set, const std::string& key) {
    dynamic_[set].push_back(key);
    set_now(now_);
  }
  void remove_dynamic(const std::string& set, const std::string& key) {
    std::erase(dynamic_[set], key);
    set_now(now_);
  }
  std::chrono::sys_seconds now() const { return now_; }

  StepRef step(std::string_view asset, std::string_view key = "") const {
    const NodeId node = *graph_->find(asset);
    return {node, *space_->find(node, key)};
  }

  /// The record the engine would write for materializing `asset[key]` now.
  AssetVersionRecord materialize(const std::string& asset, const std::string& key = "",
                                 std::optional<std::string> data_version = std::nullopt,
                                 std::optional<std::string> code_version = std::nullopt) {
    const StepRef s = step(asset, key);
    AssetVersionRecord record;
    record.asset_key = asset;
    record.partition_key = key;
    record.event_id = ++last_event_id_;
    record.timestamp = static_cast<double>(clock_.time_since_epoch().count());
    record.code_version = code_version ? *code_version : graph_->definition(s.node).code_version;
    record.config_hash = config_hash_;
    for (std::size_t i = 0; i < graph_->typed_upstream(s.node).size(); ++i) {
      for (StepRef up : space_->dependency_steps(s, i)) {
        const std::string up_asset = graph_->key(up.node);
        const std::string up_key(space_->key(up));
        record.inputs.push_back({up_asset, up_key, current_version(up_asset, up_key)});
      }
    }
    if (auto it = observed_.find({asset, key}); it != observed_.end()) {
      record.inputs.push_back({asset, key, it->second});
    }
    record.data_version =
        data_version ? *data_version
                     : derive_data_version(record.code_version, record.config_hash, record.inputs);
    latest_[{asset, key}] = record;
    records_.push_back(record);
    return record;
  }

  ObservationRecord observe(const std::string& asset, const std::string& key,
                            const std::string& version) {
    ObservationRecord observation;
    observation.asset_key = asset;
    observation.partition_key = key;
    observation.event_id = ++last_event_id_;
    observation.timestamp = static_cast<double>(clock_.time_since_epoch().count());
    observation.data_version = version;
    observed_[{asset, key}] = version;
    observations_.push_back(observation);
    return observation;
  }

  std::string current_version(const std::string& asset, const std::string& key) const {
    auto it = latest_.find({asset, key});
    return it == latest_.end() ? "" : it->second.data_version;
  }

  /// A cold build from everything recorded.
  StalenessIndex build(std::optional<CurrentVersions> current = std::nullopt) const {
    return StalenessIndex::build(*space_, records_, observations_,
                                 current ? *current : CurrentVersions::of(*graph_));
  }

  /// The time materializations and observations are stamped with.
  void set_clock(std::chrono::sys_seconds t) { clock_ = t; }
  void set_config_hash(std::string hash) { config_hash_ = std::move(hash); }
  std::int64_t last_event_id() const { return last_event_id_; }
  const std::vector<AssetVersionRecord>& records() const { return records_; }

 private:
  std::unique_ptr<AssetGraph> graph_;
  std::unique_ptr<PartitionSpace> space_;
  std::map<std::string, std::vector<std::string>> dynamic_;
  std::chrono::sys_seconds now_{};
  std::chrono::sys_seconds clock_ = utc(2025, 1, 4);
  std::string config_hash_;
  std::int64_t last_event_id_ = 0;
  std::map<std::pair<std::string, std::string>, AssetVersionRecord> latest_;
  std::map<std::pair<std::string, std::string>, std::string> observed_;
  std::vector<AssetVersionRecord> records_;
  std::vector<ObservationRecord> observations_;
};

}  // namespace cairn::testing
