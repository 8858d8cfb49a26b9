#include "cli/cli_env.hpp"

#include "automation/pool_gate.hpp"

namespace cairn {

CliEnv::CliEnv(const Definitions& defs, std::string program, std::ostream& out, std::ostream& err)
    : defs_(defs), program_(std::move(program)), out_(out), err_(err) {}

const AssetGraph& CliEnv::graph() {
  if (!graph_) {
    AssetGraph graph = AssetGraph::build(defs_);
    auto problems = pool_definition_problems(defs_);
    if (!problems.empty()) {
      std::string message = "the pipeline's definitions are invalid:";
      for (const auto& p : problems) message += "\n  - " + p;
      throw DefinitionError(message);
    }
    graph_.emplace(std::move(graph));
  }
  return *graph_;
}

Instance& CliEnv::instance() {
  if (!instance_) instance_ = Instance::open(home_.empty() ? Instance::default_home() : home_);
  return *instance_;
}

PartitionSpace CliEnv::partition_space() {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return PartitionSpace::build(graph(), now, instance().storage().all_dynamic_partitions());
}

const IOManagers& CliEnv::io_managers() {
  if (!io_managers_) {
    IOManagers managers{{"fs", make_filesystem_io_manager(instance().values_dir().string())},
                        {"memory", make_memory_io_manager()}};
    for (const auto& [key, manager] : defs_.io_managers) managers[key] = manager;
    io_managers_ = std::move(managers);
  }
  return *io_managers_;
}

}  // namespace cairn
