#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "graph/graph_render.hpp"

namespace cairn {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "-" : text;
}

int run_list(CliEnv& env, bool as_json) {
  const AssetGraph& graph = env.graph();
  if (as_json) {
    std::vector<NodeId> all(graph.topological_order().begin(), graph.topological_order().end());
    env.out() << render_json(graph, all) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (NodeId id = 0; id < graph.size(); ++id) {
    const AssetDefinition& def = graph.definition(id);
    std::vector<std::string> deps = def.deps;
    for (const auto& after : def.after) deps.push_back(after + " (after)");
    rows.push_back({def.key, def.group, join(deps), def.description});
  }
  env.out() << "Assets (" << graph.size() << "):\n";
  print_table(env.out(), {"ASSET", "GROUP", "DEPENDS ON", "DESCRIPTION"}, rows);
  const auto& jobs = env.definitions().jobs;
  if (!jobs.empty()) {
    env.out() << "\nJobs (" << jobs.size() << "):\n";
    std::vector<std::vector<std::string>> job_rows;
    for (const auto& job : jobs) job_rows.push_back({job.name, job.selection, job.description});
    print_table(env.out(), {"JOB", "SELECTION", "DESCRIPTION"}, job_rows);
  }
  return 0;
}

}  // namespace

void add_list_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand("list",
                                 "List the assets (group, dependencies, description) "
                                 "and the jobs of this pipeline");
  auto as_json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *as_json, "Print JSON for scripts");
  cmd->callback(
      [&env, &action, as_json] { action = [&env, as_json] { return run_list(env, *as_json); }; });
}

}  // namespace cairn
