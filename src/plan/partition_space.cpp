#include "plan/partition_space.hpp"

#include <algorithm>

#include "partitions/partitions_impl.hpp"

namespace cairn {

namespace {

void sort_unique(std::vector<StepRef>& steps) {
  auto less = [](const StepRef& a, const StepRef& b) {
    return a.node != b.node ? a.node < b.node : a.partition < b.partition;
  };
  std::sort(steps.begin(), steps.end(), less);
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
}

}  // namespace

PartitionSpace PartitionSpace::build(
    const AssetGraph& graph, std::chrono::sys_seconds now,
    const std::map<std::string, std::vector<std::string>>& dynamic_keys) {
  PartitionSpace space;
  space.graph_ = &graph;
  space.now_ = now;
  const std::size_t n = graph.size();
  space.keys_.resize(n);
  space.dynamic_index_.resize(n);
  space.in_edges_.resize(n);
  space.out_edges_.resize(n);
  for (NodeId id = 0; id < n; ++id) {
    const PartitionsDefinition* def = space.definition(id);
    if (def == nullptr) continue;
    const detail::PartitionsImpl& impl = def->impl();
    switch (impl.kind) {
      case PartitionsKind::kStatic:
        space.keys_[id] = impl.static_keys;
        break;
      case PartitionsKind::kTimeWindow:
        impl.windows->append_keys(0, impl.windows->count(now), space.keys_[id]);
        break;
      case PartitionsKind::kDynamic: {
        auto it = dynamic_keys.find(impl.dynamic_name);
        if (it == dynamic_keys.end()) break;
        space.keys_[id] = it->second;
        for (std::size_t i = 0; i < it->second.size(); ++i) {
          space.dynamic_index_[id].emplace(it->second[i], static_cast<PartitionIndex>(i));
        }
        break;
      }
    }
  }
  static const PartitionMapping kDefaultMapping{};
  for (NodeId id = 0; id < n; ++id) {
    const AssetDefinition& def = graph.definition(id);
    auto typed = graph.typed_upstream(id);
    for (std::size_t i = 0; i < typed.size(); ++i) {
      const PartitionMapping& mapping =
          i < def.dep_partitions.size() ? def.dep_partitions[i].mapping : kDefaultMapping;
      space.add_edge(id, typed[i], mapping, false);
    }
    for (NodeId up : graph.upstream(id)) {
      if (graph.is_ordering_only(up, id)) space.add_edge(id, up, kDefaultMapping, true);
    }
  }
  return space;
}

bool PartitionSpace::keys_unchanged(
    std::chrono::sys_seconds now,
    const std::map<std::string, std::vector<std::string>>& dynamic_keys) const {
  static const std::vector<std::string> kNoKeys;
  for (NodeId id = 0; id < keys_.size(); ++id) {
    const PartitionsDefinition* def = definition(id);
    if (def == nullptr) continue;
    const detail::PartitionsImpl& impl = def->impl();
    switch (impl.kind) {
      case PartitionsKind::kStatic:
        break;
      case PartitionsKind::kTimeWindow:
        // The keys are the first count(now) windows: the same count means the same keys.
        if (impl.windows->count(now) != static_cast<std::int64_t>(keys_[id].size())) return false;
        break;
      case PartitionsKind::kDynamic: {
        const auto it = dynamic_keys.find(impl.dynamic_name);
        if ((it == dynamic_keys.end() ? kNoKeys : it->second) != keys_[id]) return false;
        break;
      }
    }
  }
  return true;
}

const PartitionsDefinition* PartitionSpace::definition(NodeId node) const {
  const auto& partitions = graph_->definition(node).partitions;
  return partitions ? &*partitions : nullptr;
}

void PartitionSpace::add_edge(NodeId down, NodeId up, const PartitionMapping& mapping,
                              bool ordering_only) {
  Edge edge;
  edge.up = up;
  edge.down = down;
  edge.ordering_only = ordering_only;
  edge.mapping = resolve_partition_mapping(graph_->definition(down).partitions,
                                           graph_->definition(up).partitions, mapping);
  if (edge.mapping.kind == ResolvedMapping::Kind::kSingle) {
    edge.single = find(up, edge.mapping.single_key);
  } else if (edge.mapping.kind == ResolvedMapping::Kind::kByKey) {
    const auto& down_keys = keys_[down];
    edge.by_key.assign(down_keys.size(), -1);
    edge.inverse.resize(keys_[up].size());
    for (std::size_t d = 0; d < down_keys.size(); ++d) {
      auto up_key = edge.mapping.upstream_key(down_keys[d]);
      if (!up_key) continue;
      if (auto u = find(up, *up_key)) {
        edge.by_key[d] = *u;
        edge.inverse[*u].push_back(static_cast<PartitionIndex>(d));
      }
    }
  }
  in_edges_[down].push_back(edges_.size());
  out_edges_[up].push_back(edges_.size());
  edges_.push_back(std::move(edge));
}

bool PartitionSpace::is_partitioned(NodeId node) const {
  return definition(node) != nullptr;
}

std::size_t PartitionSpace::step_count(NodeId node) const {
  return is_partitioned(node) ? keys_[node].size() : 1;
}

std::span<const std::string> PartitionSpace::keys(NodeId node) const {
  return keys_[node];
}

std::string_view PartitionSpace::key(StepRef step) const {
  if (!is_partitioned(step.node)) return {};
  return keys_[step.node][step.partition];
}

std::optional<PartitionIndex> PartitionSpace::find(NodeId node, std::string_view key) const {
  const PartitionsDefinition* def = definition(node);
  if (def == nullptr) {
    if (key.empty()) return kUnpartitioned;
    return std::nullopt;
  }
  const detail::PartitionsImpl& impl = def->impl();
  switch (impl.kind) {
    case PartitionsKind::kStatic:
      return impl.static_position(key);
    case PartitionsKind::kDynamic: {
      auto it = dynamic_index_[node].find(key);
      if (it == dynamic_index_[node].end()) return std::nullopt;
      return it->second;
    }
    case PartitionsKind::kTimeWindow: {
      auto parsed = impl.windows->parse_key(key);
      const auto* i = std::get_if<std::int64_t>(&parsed);
      if (i == nullptr || *i < 0 || *i >= static_cast<std::int64_t>(keys_[node].size()) ||
          keys_[node][static_cast<std::size_t>(*i)] != key) {
        return std::nullopt;
      }
      return static_cast<PartitionIndex>(*i);
    }
  }
  return std::nullopt;
}

void PartitionSpace::append_all_steps(NodeId node, std::vector<StepRef>& out) const {
  const std::size_t count = step_count(node);
  for (std::size_t i = 0; i < count; ++i) out.push_back({node, static_cast<PartitionIndex>(i)});
}

void PartitionSpace::append_dependency_steps(const Edge& edge, StepRef step,
                                             std::vector<StepRef>& out) const {
  switch (edge.mapping.kind) {
    case ResolvedMapping::Kind::kWhole:
      out.push_back({edge.up, kUnpartitioned});
      return;
    case ResolvedMapping::Kind::kAll:
      append_all_steps(edge.up, out);
      return;
    case ResolvedMapping::Kind::kShift: {
      const std::int64_t u = static_cast<std::int64_t>(step.partition) + edge.mapping.shift;
      if (u >= 0 && u < static_cast<std::int64_t>(keys_[edge.up].size())) {
        out.push_back({edge.up, static_cast<PartitionIndex>(u)});
      }
      return;
    }
    case ResolvedMapping::Kind::kByKey:
      if (edge.by_key[step.partition] >= 0) {
        out.push_back({edge.up, static_cast<PartitionIndex>(edge.by_key[step.partition])});
      }
      return;
    case ResolvedMapping::Kind::kSingle:
      if (edge.single) out.push_back({edge.up, *edge.single});
      return;
  }
}

std::vector<StepRef> PartitionSpace::dependency_steps(StepRef step, std::size_t typed_index) const {
  std::vector<StepRef> steps;
  append_dependency_steps(edges_[in_edges_[step.node][typed_index]], step, steps);
  return steps;
}

std::vector<StepRef> PartitionSpace::upstream_steps(StepRef step) const {
  std::vector<StepRef> steps;
  for (std::size_t e : in_edges_[step.node]) append_dependency_steps(edges_[e], step, steps);
  sort_unique(steps);
  return steps;
}

std::vector<StepRef> PartitionSpace::downstream_steps(StepRef step) const {
  std::vector<StepRef> steps;
  for (std::size_t e : out_edges_[step.node]) {
    const Edge& edge = edges_[e];
    switch (edge.mapping.kind) {
      case ResolvedMapping::Kind::kWhole:
      case ResolvedMapping::Kind::kAll:
        append_all_steps(edge.down, steps);
        break;
      case ResolvedMapping::Kind::kShift: {
        const std::int64_t d = static_cast<std::int64_t>(step.partition) - edge.mapping.shift;
        if (d >= 0 && d < static_cast<std::int64_t>(keys_[edge.down].size())) {
          steps.push_back({edge.down, static_cast<PartitionIndex>(d)});
        }
        break;
      }
      case ResolvedMapping::Kind::kByKey:
        for (PartitionIndex d : edge.inverse[step.partition]) steps.push_back({edge.down, d});
        break;
      case ResolvedMapping::Kind::kSingle:
        if (edge.single == step.partition) append_all_steps(edge.down, steps);
        break;
    }
  }
  sort_unique(steps);
  return steps;
}

std::string PartitionSpace::absent_reason(NodeId up, std::string_view key) const {
  const detail::PartitionsImpl& impl = definition(up)->impl();
  switch (impl.kind) {
    case PartitionsKind::kStatic:
      return "which is not one of its keys";
    case PartitionsKind::kDynamic:
      return "which is not (yet) in its dynamic partition set '" + impl.dynamic_name + "'";
    case PartitionsKind::kTimeWindow: {
      const TimeWindowSchedule& windows = *impl.windows;
      auto parsed = windows.parse_key(key);
      if (const auto* why = std::get_if<std::string>(&parsed)) return "which " + *why;
      const std::int64_t i = std::get<std::int64_t>(parsed);
      if (i < 0) return "before its first partition " + windows.key(0);
      if (windows.end_count() && i >= *windows.end_count()) {
        return "after its last partition " + windows.key(*windows.end_count() - 1);
      }
      return "whose window has not ended yet (it ends " +
             windows.local_text(windows.window_start(i + 1)) + ")";
    }
  }
  return "";
}

std::optional<std::string> PartitionSpace::missing_upstream(StepRef step) const {
  std::string text;
  auto add = [&](const std::string& part) { text += (text.empty() ? "" : "; ") + part; };
  for (std::size_t e : in_edges_[step.node]) {
    const Edge& edge = edges_[e];
    if (edge.ordering_only) continue;
    const std::string& up_key = graph_->key(edge.up);
    switch (edge.mapping.kind) {
      case ResolvedMapping::Kind::kWhole:
      case ResolvedMapping::Kind::kAll:
        break;
      case ResolvedMapping::Kind::kShift: {
        const std::int64_t u = static_cast<std::int64_t>(step.partition) + edge.mapping.shift;
        if (u >= 0 && u < static_cast<std::int64_t>(keys_[edge.up].size())) break;
        const std::string wanted = definition(edge.up)->impl().windows->key(u);
        add("needs partition " + wanted + " of " + up_key + ", " + absent_reason(edge.up, wanted));
        break;
      }
      case ResolvedMapping::Kind::kByKey: {
        if (edge.by_key[step.partition] >= 0) break;
        auto wanted = edge.mapping.upstream_key(key(step));
        if (!wanted) {
          add("the mapping of " + up_key + " has no entry for partition " + std::string(key(step)));
        } else {
          add("needs partition " + std::string(*wanted) + " of " + up_key + ", " +
              absent_reason(edge.up, *wanted));
        }
        break;
      }
      case ResolvedMapping::Kind::kSingle:
        if (edge.single) break;
        add("needs partition " + edge.mapping.single_key + " of " + up_key + ", " +
            absent_reason(edge.up, edge.mapping.single_key));
        break;
    }
  }
  if (text.empty()) return std::nullopt;
  return text;
}

std::string PartitionSpace::step_key(StepRef step) const {
  const std::string& asset = graph_->key(step.node);
  if (!is_partitioned(step.node)) return asset;
  return asset + "[" + std::string(key(step)) + "]";
}

}  // namespace cairn
