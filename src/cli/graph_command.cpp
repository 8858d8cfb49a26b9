#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/commands.hpp"
#include "graph/graph_render.hpp"
#include "graph/selection.hpp"

namespace cairn {

namespace {

struct GraphOptions {
  std::string select = "*";
  std::string format = "text";
};

int run_graph(CliEnv& env, const GraphOptions& options) {
  const AssetGraph& graph = env.graph();
  std::vector<NodeId> nodes = resolve_selection(graph, options.select);
  if (options.format == "dot") {
    env.out() << render_dot(graph, nodes);
  } else if (options.format == "json") {
    env.out() << render_json(graph, nodes) << "\n";
  } else {
    env.out() << render_tree(graph, nodes);
  }
  return 0;
}

}  // namespace

void add_graph_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand("graph",
                                 "Show the asset graph as a text tree, Graphviz dot, or "
                                 "JSON");
  auto options = std::make_shared<GraphOptions>();
  cmd->add_option("--select,-s", options->select, "Only these assets (selection language)")
      ->capture_default_str();
  cmd->add_option("--format,-f", options->format, "text, dot or json")
      ->check(CLI::IsMember({"text", "dot", "json"}))
      ->capture_default_str();
  cmd->callback(
      [&env, &action, options] { action = [&env, options] { return run_graph(env, *options); }; });
}

}  // namespace cairn
