#include "graph/asset_graph.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <limits>
#include <map>
#include <queue>
#include <unordered_set>

#include "cairn/error.hpp"
#include "core/run_config.hpp"
#include "core/suggest.hpp"
#include "core/type_name.hpp"
#include "graph/selection.hpp"
#include "partitions/partition_mapping.hpp"

namespace cairn {

namespace {

constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();
/// An index slot holds (hash tag << 32 | NodeId); all bits set marks it empty, since no asset
/// has the id kNoNode.
constexpr std::uint64_t kEmptySlot = std::numeric_limits<std::uint64_t>::max();

std::size_t hash_key(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}
std::uint64_t slot_tag(std::size_t hash) {
  return static_cast<std::uint64_t>(hash) >> 32;
}
NodeId slot_id(std::uint64_t slot) {
  return static_cast<NodeId>(slot);
}

/// Collects validation problems so that one build reports all of them. Messages are built
/// lazily: past the listing limit a problem is only counted, so that a pipeline with thousands
/// of broken assets does not pay for thousands of "did you mean" searches.
class Problems {
 public:
  template <class MakeMessage>
  void add(MakeMessage&& make_message) {
    if (listed_.size() < kMaxListed) listed_.push_back(std::forward<MakeMessage>(make_message)());
    ++total_;
  }
  bool empty() const { return total_ == 0; }

  [[noreturn]] void raise() const {
    if (total_ == 1) throw DefinitionError(listed_.front());
    std::string text = "invalid Definitions: " + std::to_string(total_) + " problems";
    for (const auto& message : listed_) {
      text += "\n  - ";
      // Continuation lines (a selection and its caret) keep their alignment under the bullet.
      for (char c : message) {
        text += c;
        if (c == '\n') text += "    ";
      }
    }
    if (total_ > listed_.size()) {
      text += "\n  ... and " + std::to_string(total_ - listed_.size()) + " more";
    }
    throw DefinitionError(text);
  }

 private:
  static constexpr std::size_t kMaxListed = 20;
  std::vector<std::string> listed_;
  std::size_t total_ = 0;
};

std::string quoted_list(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    if (!text.empty()) text += ", ";
    text += "'" + name + "'";
  }
  return text;
}

std::string source_of(const AssetDefinition& def) {
  return std::string(def.source_file) + ":" + std::to_string(def.source_line);
}

std::string value_type_of(const AssetDefinition& def) {
  return def.value_type != nullptr ? type_name(*def.value_type) : "unknown";
}

std::string duplicate_message(const AssetGraph& g, NodeId first, const std::vector<NodeId>& later) {
  const auto& assets = g.definitions().assets;
  const std::string times =
      later.size() == 1 ? "twice" : std::to_string(later.size() + 1) + " times";
  bool same_handle = std::all_of(later.begin(), later.end(), [&](NodeId id) {
    return assets[id].shared() == assets[first].shared();
  });
  if (same_handle) {
    return "asset '" + g.key(first) + "' is listed " + times + " in Definitions::assets; remove " +
           (later.size() == 1 ? "one" : "the extra ones");
  }
  std::string places = source_of(g.definition(first));
  for (std::size_t i = 0; i < later.size(); ++i) {
    places += (i + 1 == later.size() ? " and " : ", ") + source_of(g.definition(later[i]));
  }
  return "asset key '" + g.key(first) + "' is defined " + times + " (at " + places + "); rename " +
         (later.size() == 1 ? "one" : "all but one");
}

/// A cycle among the assets Kahn's algorithm could not place (`waiting_on` > 0), as a path that
/// starts and ends with the same asset, each asset followed by one of its upstreams.
std::vector<NodeId> find_cycle(const AssetGraph& g, const std::vector<std::size_t>& waiting_on) {
  // Every unplaced asset still waits on an unplaced upstream, so walking upstream through
  // unplaced assets must revisit one: that stretch of the walk is a cycle.
  constexpr std::size_t kUnvisited = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> position(g.size(), kUnvisited);
  std::vector<NodeId> walk;
  NodeId at = static_cast<NodeId>(
      std::find_if(waiting_on.begin(), waiting_on.end(), [](std::size_t w) { return w > 0; }) -
      waiting_on.begin());
  while (position[at] == kUnvisited) {
    position[at] = walk.size();
    walk.push_back(at);
    for (NodeId up : g.upstream(at)) {
      if (waiting_on[up] > 0) {
        at = up;
        break;
      }
    }
  }
  std::vector<NodeId> cycle(walk.begin() + static_cast<std::ptrdiff_t>(position[at]), walk.end());
  cycle.push_back(at);
  return cycle;
}

std::string cycle_message(const AssetGraph& g, const std::vector<NodeId>& cycle) {
  std::string path;
  std::string ordering_edges;
  for (std::size_t i = 0; i < cycle.size(); ++i) {
    if (i > 0) path += " -> ";
    path += g.key(cycle[i]);
    if (i + 1 < cycle.size() && g.is_ordering_only(cycle[i + 1], cycle[i])) {
      if (!ordering_edges.empty()) ordering_edges += ", ";
      ordering_edges += "'" + g.key(cycle[i]) + "'.after(\"" + g.key(cycle[i + 1]) + "\")";
    }
  }
  std::string text =
      "assets depend on each other in a cycle: " + path + " (each runs after the next); ";
  // Only Definitions built by hand can close a cycle with typed dependencies alone: a handle
  // must exist before a downstream can use it.
  if (ordering_edges.empty()) return text + "remove one of these dependencies";
  return text + "remove one of the .after() dependencies: " + ordering_edges;
}

/// Resources, IO managers and codecs each asset needs.
void check_services(const AssetGraph& g, Problems& problems) {
  const Definitions& defs = g.definitions();
  std::vector<std::string> resource_keys;
  for (const auto& [key, resource] : defs.resources) resource_keys.push_back(key);
  std::vector<std::string> io_manager_keys{"fs", "memory"};
  for (const auto& [key, manager] : defs.io_managers) {
    if (key != "fs" && key != "memory") io_manager_keys.push_back(key);
  }
  const bool builtin_fs = !defs.io_managers.contains("fs");
  for (NodeId id = 0; id < g.size(); ++id) {
    const AssetDefinition& def = g.definition(id);
    for (const auto& resource : def.required_resources) {
      if (defs.resources.contains(resource)) continue;
      problems.add([&] {
        std::string known = resource_keys.empty()
                                ? "Definitions::resources is empty"
                                : "known resources: " + quoted_list(resource_keys);
        return "asset '" + def.key + "' requires resource '" + resource +
               "' which is not in Definitions::resources (" + known +
               "); add it to Definitions::resources or fix the key in .require_resource()" +
               did_you_mean(resource, resource_keys);
      });
    }
    if (std::find(io_manager_keys.begin(), io_manager_keys.end(), def.io_manager) ==
        io_manager_keys.end()) {
      problems.add([&] {
        return "asset '" + def.key + "' uses IO manager '" + def.io_manager +
               "' which does not exist (known IO managers: " + quoted_list(io_manager_keys) +
               "); add it to Definitions::io_managers or fix the key in .io_manager()" +
               did_you_mean(def.io_manager, io_manager_keys);
      });
    } else if (def.io_manager == "fs" && builtin_fs && def.codec.encode == nullptr) {
      problems.add([&] {
        return "asset '" + def.key + "' returns " + value_type_of(def) +
               " which has no cairn::Codec; specialize cairn::Codec<T> (see cairn/codec.hpp) or "
               "store it with .io_manager(\"memory\")";
      });
    }
  }
}

/// The partition mapping of every dependency (typed ones through their mapping, `after` ones
/// through the default mapping) fits the partitions of both assets.
void check_partition_mappings(const AssetGraph& g, Problems& problems) {
  static const PartitionMapping kDefault{};
  for (NodeId id = 0; id < g.size(); ++id) {
    const AssetDefinition& def = g.definition(id);
    // By key, not through typed_upstream(): a missing dependency has no edge there, which
    // would shift the dependency numbers against dep_partitions.
    for (std::size_t i = 0; i < def.deps.size(); ++i) {
      auto up = g.find(def.deps[i]);
      if (!up) continue;
      const PartitionMapping& mapping =
          i < def.dep_partitions.size() ? def.dep_partitions[i].mapping : kDefault;
      if (auto problem =
              partition_mapping_problem(def, g.definition(*up), mapping, DependencyKind::kTyped)) {
        problems.add([&] { return *problem; });
      }
    }
    for (const auto& key : def.after) {
      auto up = g.find(key);
      if (!up || std::find(def.deps.begin(), def.deps.end(), key) != def.deps.end()) continue;
      if (auto problem = partition_mapping_problem(def, g.definition(*up), kDefault,
                                                   DependencyKind::kOrderingOnly)) {
        problems.add([&] { return *problem; });
      }
    }
  }
}

/// Job names, and job selections when `resolve_selections` (a graph with missing assets or a
/// cycle cannot resolve them meaningfully).
void check_jobs(const AssetGraph& g, bool resolve_selections, Problems& problems) {
  std::unordered_set<std::string_view> names;
  for (const auto& job : g.definitions().jobs) {
    if (job.name.empty()) {
      problems.add([&] {
        return "a job with selection '" + job.selection + "' has an empty name; give it a name";
      });
      continue;
    }
    if (!names.insert(job.name).second) {
      problems.add([&] { return "job name '" + job.name + "' is used twice; rename one"; });
      continue;
    }
    if (!resolve_selections) continue;
    try {
      if (resolve_selection(g, job.selection).empty()) {
        problems.add([&] {
          return "job '" + job.name + "': selection '" + job.selection +
                 "' matches no asset; fix the selection or remove the job";
        });
      }
    } catch (const SelectionError& e) {
      problems.add([&] { return "job '" + job.name + "': " + e.what(); });
    }
    if (job.config_json.empty()) continue;
    // A job's default config is checked now, not when the job first runs from a schedule.
    try {
      std::vector<const AssetDefinition*> defs;
      defs.reserve(g.size());
      for (NodeId id = 0; id < g.size(); ++id) defs.push_back(&g.definition(id));
      ConfigSource source{"job '" + job.name + "'", job.config_json};
      resolve_run_config(std::span<const ConfigSource>(&source, 1), defs);
    } catch (const ConfigError& e) {
      problems.add([&] { return std::string(e.what()); });
    }
  }
}

}  // namespace

std::size_t AssetGraph::probe(std::string_view key, std::size_t hash) const {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = index_[i];
    if (slot == kEmptySlot) return i;
    if ((slot >> 32) == slot_tag(hash) && keys_[slot_id(slot)] == key) return i;
  }
}

std::optional<NodeId> AssetGraph::find(std::string_view key) const {
  const std::uint64_t slot = index_[probe(key, hash_key(key))];
  if (slot == kEmptySlot) return std::nullopt;
  return slot_id(slot);
}

bool AssetGraph::is_ordering_only(NodeId upstream_id, NodeId id) const {
  auto typed = typed_upstream(id);
  return std::find(typed.begin(), typed.end(), upstream_id) == typed.end();
}

const Job* AssetGraph::find_job(std::string_view name) const {
  for (const auto& job : defs_.jobs) {
    if (job.name == name) return &job;
  }
  return nullptr;
}

AssetGraph AssetGraph::build(const Definitions& defs) {
  AssetGraph g;
  g.defs_ = defs;
  const std::size_t n = defs.assets.size();
  Problems problems;
  // Duplicates, unknown dependencies and cycles leave the graph without a sound shape; job
  // selections are resolved only without them.
  bool sound = true;

  g.keys_.reserve(n);
  g.index_.assign(std::bit_ceil(2 * n + 1), kEmptySlot);
  std::map<NodeId, std::vector<NodeId>> duplicates;  // first definition -> later ones
  for (NodeId id = 0; id < n; ++id) {
    g.keys_.push_back(g.definition(id).key);
    const std::size_t hash = hash_key(g.keys_.back());
    std::uint64_t& slot = g.index_[g.probe(g.keys_.back(), hash)];
    if (slot == kEmptySlot) {
      slot = slot_tag(hash) << 32 | id;
    } else {
      duplicates[slot_id(slot)].push_back(id);
    }
  }
  for (const auto& [first, later] : duplicates) {
    sound = false;
    problems.add([&] { return duplicate_message(g, first, later); });
  }

  // `listed_by` remembers, per upstream, the last asset that listed it, so that an upstream
  // given both as a typed and an `after` dependency counts once, in O(edges) even for an asset
  // with thousands of upstreams.
  std::vector<NodeId> listed_by(n, kNoNode);
  auto add_upstream = [&](NodeId id, NodeId up) {
    if (listed_by[up] == id) return;
    listed_by[up] = id;
    g.up_edges_.push_back(up);
  };
  g.typed_offsets_.reserve(n + 1);
  g.up_offsets_.reserve(n + 1);
  g.typed_offsets_.push_back(0);
  g.up_offsets_.push_back(0);
  for (NodeId id = 0; id < n; ++id) {
    const AssetDefinition& def = g.definition(id);
    for (const auto& dep : def.deps) {
      if (auto up = g.find(dep)) {
        g.typed_edges_.push_back(*up);
        add_upstream(id, *up);
        continue;
      }
      sound = false;
      problems.add([&] {
        return "asset '" + def.key + "' depends on '" + dep +
               "' which is not in Definitions::assets; add the '" + dep +
               "' handle to Definitions::assets";
      });
    }
    for (const auto& dep : def.after) {
      if (auto up = g.find(dep)) {
        add_upstream(id, *up);
        continue;
      }
      sound = false;
      problems.add([&] {
        return "asset '" + def.key + "' runs after '" + dep +
               "' which is not in Definitions::assets; add the '" + dep +
               "' asset to Definitions::assets or fix the key in .after()" +
               did_you_mean(dep, g.keys_);
      });
    }
    g.typed_offsets_.push_back(g.typed_edges_.size());
    g.up_offsets_.push_back(g.up_edges_.size());
  }

  // Downstream lists by counting sort over the upstream edges: filling in NodeId order leaves
  // each list sorted by NodeId.
  g.down_offsets_.assign(n + 1, 0);
  for (NodeId up : g.up_edges_) ++g.down_offsets_[up + 1];
  for (std::size_t i = 0; i < n; ++i) g.down_offsets_[i + 1] += g.down_offsets_[i];
  g.down_edges_.resize(g.up_edges_.size());
  std::vector<std::size_t> fill(g.down_offsets_.begin(), g.down_offsets_.end() - 1);
  for (NodeId id = 0; id < n; ++id) {
    for (NodeId up : g.upstream(id)) g.down_edges_[fill[up]++] = id;
  }

  // Kahn's algorithm; the min-heap makes ties go to the asset listed first.
  std::vector<std::size_t> waiting_on(n);
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready;
  for (NodeId id = 0; id < n; ++id) {
    waiting_on[id] = g.upstream(id).size();
    if (waiting_on[id] == 0) ready.push(id);
  }
  g.topological_order_.reserve(n);
  while (!ready.empty()) {
    NodeId id = ready.top();
    ready.pop();
    g.topological_order_.push_back(id);
    for (NodeId down : g.downstream(id)) {
      if (--waiting_on[down] == 0) ready.push(down);
    }
  }
  if (g.topological_order_.size() < n) {
    sound = false;
    problems.add([&] { return cycle_message(g, find_cycle(g, waiting_on)); });
  }

  std::unordered_set<std::string_view> groups;
  for (NodeId id = 0; id < n; ++id) groups.insert(g.definition(id).group);
  g.groups_.assign(groups.begin(), groups.end());
  std::sort(g.groups_.begin(), g.groups_.end());

  check_services(g, problems);
  check_partition_mappings(g, problems);
  check_jobs(g, sound, problems);
  if (!problems.empty()) problems.raise();
  return g;
}

}  // namespace cairn
