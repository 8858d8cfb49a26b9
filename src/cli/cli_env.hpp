#pragma once
// What every command shares: the definitions, the graph built from them, the instance, and
// where to write. The graph and the instance are built on first use, so that `--help` and
// commands that need neither stay instant.

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "cairn/definitions.hpp"
#include "exec/run_engine.hpp"
#include "graph/asset_graph.hpp"
#include "plan/partition_space.hpp"
#include "storage/instance.hpp"

namespace cairn {

class CliEnv {
 public:
  CliEnv(const Definitions& defs, std::string program, std::ostream& out, std::ostream& err);

  const Definitions& definitions() const { return defs_; }
  /// The validated graph; throws DefinitionError on the first call if the definitions are bad.
  const AssetGraph& graph();
  /// Opens (and recovers) the instance at --home, $CAIRN_HOME or ./.cairn.
  Instance& instance();
  /// The partitions of every asset now: time windows up to the current time, dynamic sets as
  /// stored. Built afresh on each call.
  PartitionSpace partition_space();
  /// The built-in IO managers plus Definitions::io_managers.
  const IOManagers& io_managers();

  void set_home(std::string home) { home_ = std::move(home); }
  const std::string& program() const { return program_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

 private:
  const Definitions& defs_;
  std::string program_;
  std::ostream& out_;
  std::ostream& err_;
  std::string home_;
  std::optional<AssetGraph> graph_;
  std::unique_ptr<Instance> instance_;
  std::optional<IOManagers> io_managers_;
};

}  // namespace cairn
