#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>

#include "cairn/context.hpp"
#include "cairn/model_registry.hpp"
#include "cairn/resource.hpp"
#include "cairn/tracking.hpp"
#include "core/clock.hpp"
#include "core/event_sink.hpp"

namespace cairn {

struct AssetDefinition;

/// The Context of one attempt of one step. Lives on the worker's stack for the duration of the
/// compute call; `stop` is owned by the engine and outlives it. `tracker` may be null (no
/// instance: ctx.tracking() then throws); otherwise it outlives the context.
class StepContext final : public Context {
 public:
  StepContext(const std::string& run_id, const std::map<std::string, std::string>& run_tags,
              const AssetDefinition& asset, const std::string& step_key,
              const std::string& partition_key, int attempt, const std::atomic<bool>& stop,
              const std::map<std::string, Resource>& resources, EventSink& sink, Clock& clock,
              tracking::Tracker* tracker);

  const std::string& run_id() const override { return run_id_; }
  const std::string& asset_key() const override;
  int attempt() const override { return attempt_; }
  const std::map<std::string, std::string>& run_tags() const override { return run_tags_; }
  const std::string& partition_key() const override { return partition_key_; }
  TimeWindow partition_window() const override;
  void add_dynamic_partitions(std::string_view name, std::vector<std::string> keys) override;
  void set_data_version(std::string version) override { data_version_ = std::move(version); }
  void log(LogLevel level, std::string_view message) override;
  void add_metadata(std::string label, MetadataValue value) override;
  bool is_cancelled() const override { return stop_.load(std::memory_order_relaxed); }
  tracking::TrackingRun& tracking() override;
  tracking::TrackingRun& tracking(std::string_view experiment) override;
  tracking::ModelRegistry& model_registry() override;

  Metadata take_metadata() { return std::move(metadata_); }
  /// The data version the step set with set_data_version(); empty if it set none.
  const std::string& data_version() const { return data_version_; }
  /// The tracking run the step started, if it started one; the engine ends it.
  std::optional<tracking::TrackingRun> take_tracking_run() { return std::move(tracking_run_); }

 protected:
  void* resource_ptr(std::string_view key, const std::type_info& type) override;

 private:
  tracking::Tracker& tracker();

  const std::string& run_id_;
  const std::map<std::string, std::string>& run_tags_;
  const AssetDefinition& asset_;
  const std::string& step_key_;
  const std::string& partition_key_;
  int attempt_;
  const std::atomic<bool>& stop_;
  const std::map<std::string, Resource>& resources_;
  EventSink& sink_;
  Clock& clock_;
  tracking::Tracker* tracker_;
  Metadata metadata_;
  std::string data_version_;
  std::optional<tracking::TrackingRun> tracking_run_;  // started by the first tracking() call
  std::optional<tracking::ModelRegistry> registry_;    // made by the first model_registry() call
};

}  // namespace cairn
