#include <CLI/CLI.hpp>
#include <ostream>
#include <unordered_map>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "graph/selection.hpp"

namespace cairn {

namespace {

struct StatusOptions {
  std::string select = "*";
  bool json = false;
};

int run_status(CliEnv& env, const StatusOptions& o) {
  const AssetGraph& graph = env.graph();
  std::vector<NodeId> nodes = resolve_selection(graph, o.select);
  std::unordered_map<std::string, MaterializationRecord> latest;
  for (auto& m : env.instance().storage().latest_materializations()) {
    if (m.partition_key.empty()) latest.emplace(m.asset_key, std::move(m));
  }
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (NodeId id : nodes) {
      auto it = latest.find(graph.key(id));
      out.push_back(
          {{"asset", graph.key(id)},
           {"group", graph.definition(id).group},
           {"status", it == latest.end() ? "missing" : "materialized"},
           {"latest", it == latest.end() ? nlohmann::json(nullptr) : to_json(it->second)}});
    }
    env.out() << out.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  std::size_t missing = 0;
  for (NodeId id : nodes) {
    auto it = latest.find(graph.key(id));
    if (it == latest.end()) {
      ++missing;
      rows.push_back({graph.key(id), "missing", "", "", ""});
    } else {
      const auto& m = it->second;
      rows.push_back({graph.key(id), "materialized", format_timestamp(m.timestamp),
                      m.run_id.substr(0, 8), metadata_summary(m.payload_json)});
    }
  }
  print_table(env.out(), {"ASSET", "STATUS", "LAST MATERIALIZED", "RUN", "METADATA"}, rows);
  env.out() << "\n"
            << nodes.size() - missing << " of " << nodes.size() << " assets materialized, "
            << missing << " missing\n";
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand("status",
                                 "Every asset with its latest materialization (run, "
                                 "time, metadata) or 'missing'");
  auto o = std::make_shared<StatusOptions>();
  cmd->add_option("--select,-s", o->select, "Only these assets")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON for scripts");
  cmd->callback([&env, &action, o] { action = [&env, o] { return run_status(env, *o); }; });
}

}  // namespace cairn
