#pragma once

#include <atomic>
#include <map>
#include <string>

#include "cairn/context.hpp"
#include "cairn/resource.hpp"
#include "core/clock.hpp"
#include "core/event_sink.hpp"

namespace cairn {

struct AssetDefinition;

/// The Context of one attempt of one step. Lives on the worker's stack for the duration of the
/// compute call; `stop` is owned by the engine and outlives it.
class StepContext final : public Context {
 public:
  StepContext(const std::string& run_id, const std::map<std::string, std::string>& run_tags,
              const AssetDefinition& asset, int attempt, const std::atomic<bool>& stop,
              const std::map<std::string, Resource>& resources, EventSink& sink, Clock& clock);

  const std::string& run_id() const override { return run_id_; }
  const std::string& asset_key() const override;
  int attempt() const override { return attempt_; }
  const std::map<std::string, std::string>& run_tags() const override { return run_tags_; }
  void log(LogLevel level, std::string_view message) override;
  void add_metadata(std::string label, MetadataValue value) override;
  bool is_cancelled() const override { return stop_.load(std::memory_order_relaxed); }

  Metadata take_metadata() { return std::move(metadata_); }

 protected:
  void* resource_ptr(std::string_view key, const std::type_info& type) override;

 private:
  const std::string& run_id_;
  const std::map<std::string, std::string>& run_tags_;
  const AssetDefinition& asset_;
  int attempt_;
  const std::atomic<bool>& stop_;
  const std::map<std::string, Resource>& resources_;
  EventSink& sink_;
  Clock& clock_;
  Metadata metadata_;
};

}  // namespace cairn
