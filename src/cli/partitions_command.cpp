// `partitions`: the partitions of the pipeline's assets, and the dynamic partition sets.
//   partitions list [--select EXPR]      each partitioned asset: definition, keys, materialized
//   partitions keys NAME                 the keys of a dynamic set
//   partitions add NAME KEY...           adds keys to a dynamic set
//   partitions delete NAME KEY...        removes keys from a dynamic set

#include <CLI/CLI.hpp>
#include <set>

#include "cairn/partitions.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/suggest.hpp"
#include "graph/selection.hpp"
#include "partitions/partition_key.hpp"

namespace cairn {

namespace {

struct PartitionsOptions {
  std::string select = "*";
  std::string set_name;
  std::vector<std::string> keys;
  bool json = false;
};

// The dynamic set names the pipeline's assets use.
std::vector<std::string> dynamic_set_names(const AssetGraph& graph) {
  std::set<std::string> names;
  for (NodeId n = 0; n < graph.size(); ++n) {
    const auto& partitions = graph.definition(n).partitions;
    if (partitions && partitions->kind() == PartitionsKind::kDynamic) {
      names.insert(partitions->dynamic_name());
    }
  }
  return {names.begin(), names.end()};
}

// Dynamic sets are created by their first key, so a typo would silently start a new set: only
// the names the pipeline's assets use are accepted.
void require_known_set(const AssetGraph& graph, const std::string& name) {
  auto names = dynamic_set_names(graph);
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  throw NotFoundError("no asset is partitioned by a dynamic set named '" + name + "'" +
                      did_you_mean(name, names) +
                      "; the pipeline's dynamic sets: " + (known.empty() ? "none" : known));
}

int partitions_list(CliEnv& env, const PartitionsOptions& o) {
  const AssetGraph& graph = env.graph();
  std::vector<NodeId> nodes = resolve_selection(graph, o.select);
  PartitionSpace space = env.partition_space();
  std::map<std::string, std::size_t> materialized;
  for (const auto& m : env.instance().storage().latest_materializations()) {
    if (!m.partition_key.empty() && space.find(*graph.find(m.asset_key), m.partition_key)) {
      ++materialized[m.asset_key];
    }
  }
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (NodeId node : nodes) {
    const auto& partitions = graph.definition(node).partitions;
    if (!partitions) continue;
    auto keys = space.keys(node);
    const std::size_t done = materialized[graph.key(node)];
    std::string range = keys.empty() ? "" : keys.front() + " .. " + keys.back();
    out.push_back({{"asset", graph.key(node)},
                   {"partitions", partitions->describe()},
                   {"count", keys.size()},
                   {"materialized", done},
                   {"first", keys.empty() ? "" : keys.front()},
                   {"last", keys.empty() ? "" : keys.back()}});
    rows.push_back({graph.key(node), partitions->describe(), std::to_string(keys.size()),
                    std::to_string(done), range});
  }
  if (o.json) {
    env.out() << out.dump(2) << "\n";
  } else {
    print_table(env.out(), {"ASSET", "PARTITIONS", "KEYS", "MATERIALIZED", "RANGE"}, rows);
  }
  return 0;
}

int partitions_keys(CliEnv& env, const PartitionsOptions& o) {
  require_known_set(env.graph(), o.set_name);
  auto keys = env.instance().storage().dynamic_partition_keys(o.set_name);
  if (o.json) {
    env.out() << nlohmann::json(keys).dump(2) << "\n";
  } else {
    for (const auto& k : keys) env.out() << k << "\n";
  }
  return 0;
}

int partitions_change(CliEnv& env, const PartitionsOptions& o, bool add) {
  require_known_set(env.graph(), o.set_name);
  const std::string what = "dynamic partition set '" + o.set_name + "'";
  for (const auto& key : o.keys) validate_partition_key(key, what);
  Storage& storage = env.instance().storage();
  auto changed = add ? storage.add_dynamic_partitions(o.set_name, o.keys)
                     : storage.delete_dynamic_partitions(o.set_name, o.keys);
  env.instance().sync();
  if (o.json) {
    env.out() << nlohmann::json{{add ? "added" : "deleted", changed}}.dump(2) << "\n";
  } else {
    env.out() << (add ? "added " : "deleted ") << changed.size() << " of " << o.keys.size()
              << " key(s) " << (add ? "to " : "from ") << what << "\n";
  }
  return 0;
}

}  // namespace

void add_partitions_command(CLI::App& app, CliEnv& env, CommandAction& action) {
  auto* cmd = app.add_subcommand("partitions", "Partitioned assets and dynamic partition sets");
  cmd->require_subcommand(1);
  auto o = std::make_shared<PartitionsOptions>();

  auto* list = cmd->add_subcommand("list", "Each partitioned asset: definition and keys");
  list->add_option("--select,-s", o->select, "Only these assets")->capture_default_str();
  list->add_flag("--json", o->json, "Print JSON for scripts");
  list->callback([&env, &action, o] { action = [&env, o] { return partitions_list(env, *o); }; });

  auto* keys = cmd->add_subcommand("keys", "The keys of a dynamic partition set");
  keys->add_option("name", o->set_name, "The set's name")->required();
  keys->add_flag("--json", o->json, "Print JSON for scripts");
  keys->callback([&env, &action, o] { action = [&env, o] { return partitions_keys(env, *o); }; });

  for (bool add : {true, false}) {
    auto* sub = cmd->add_subcommand(add ? "add" : "delete", add ? "Add keys to a dynamic set"
                                                                : "Remove keys from a dynamic set");
    sub->add_option("name", o->set_name, "The set's name")->required();
    sub->add_option("keys", o->keys, "Partition keys")->required();
    sub->add_flag("--json", o->json, "Print JSON for scripts");
    sub->callback([&env, &action, o, add] {
      action = [&env, o, add] { return partitions_change(env, *o, add); };
    });
  }
}

}  // namespace cairn
