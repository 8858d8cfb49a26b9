#pragma once
/// @file definitions.hpp
/// Everything a pipeline binary knows: its assets, jobs, resources and IO managers.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cairn/asset.hpp"
#include "cairn/automation.hpp"
#include "cairn/io_manager.hpp"
#include "cairn/resource.hpp"

namespace cairn {

/// A named selection of assets with default config and tags, so that schedules, the CLI
/// (`materialize --job NAME`) and the UI can refer to it.
struct Job {
  std::string name{};
  std::string selection{};  ///< in the selection language, e.g. "group:training or *report"
  std::string description{};
  std::string config_json{};  ///< default run config, same shape as a --config file; may be empty
  std::map<std::string, std::string> tags{};
};

/// @code
///   cairn::Definitions defs{.assets = {raw, features, model},
///                           .jobs = {{.name = "nightly", .selection = "*model"}}};
///   return cairn::run_cli(defs, argc, argv);
/// @endcode
/// Validated when a command loads it (see docs/concepts.md): duplicate keys, dependencies on
/// assets missing from `assets`, ordering cycles, unknown resource or IO manager keys and jobs
/// with invalid selections are errors that name the asset and the fix.
struct Definitions {
  std::vector<AssetRef> assets{};
  std::vector<Job> jobs{};
  std::map<std::string, Resource> resources{};
  /// Added to the built-in "fs" and "memory"; a key given here replaces the built-in one.
  std::map<std::string, std::shared_ptr<IOManager>> io_managers{};
  std::vector<Schedule> schedules{};
  std::vector<Sensor> sensors{};
  /// Concurrency pools: at most `limit` steps of assets with `.pool(name)` run at once across
  /// every run of the instance.
  std::map<std::string, int> pools{};
  RunQueueSettings run_queue{};
};

}  // namespace cairn
