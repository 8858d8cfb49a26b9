#include "plan/staleness.hpp"

#include <algorithm>
#include <utility>

#include "cairn/error.hpp"
#include "core/data_version.hpp"

namespace cairn {

namespace {

constexpr std::size_t kKeysListed = 3;

// "ab12cd34…": enough of a version to tell two apart in a sentence.
std::string short_version(const std::string* version) {
  if (version == nullptr || version->empty()) return "(none)";
  if (version->size() <= 10) return *version;
  return version->substr(0, 8) + "…";
}

}  // namespace

std::string_view to_string(Freshness freshness) {
  switch (freshness) {
    case Freshness::kFresh:
      return "fresh";
    case Freshness::kStale:
      return "stale";
    case Freshness::kMissing:
      return "missing";
  }
  return "?";
}

CurrentVersions CurrentVersions::of(const AssetGraph& graph) {
  CurrentVersions current;
  current.code_versions.reserve(graph.size());
  for (NodeId node = 0; node < graph.size(); ++node) {
    current.code_versions.push_back(graph.definition(node).code_version);
  }
  return current;
}

/// What evaluate() found, step by step, for reasons().
struct StalenessIndex::Explanation {
  std::vector<StepId> newer;           // (c)
  std::vector<StepId> not_fresh;       // (d)
  std::vector<StepId> new_inputs;      // (f) upstream steps not read
  std::vector<StepId> no_longer_read;  // (f) steps read that are no longer upstream
};

StalenessIndex StalenessIndex::build(const PartitionSpace& space,
                                     std::vector<AssetVersionRecord> versions,
                                     std::span<const ObservationRecord> observations,
                                     CurrentVersions current) {
  const AssetGraph& graph = space.graph();
  const std::size_t nodes = graph.size();
  if (current.code_versions.size() != nodes) {
    throw Error("StalenessIndex: " + std::to_string(current.code_versions.size()) +
                " code versions given for a graph of " + std::to_string(nodes) +
                " assets; build them with CurrentVersions::of(graph)");
  }

  StalenessIndex index;
  index.space_ = &space;
  index.current_ = std::move(current);

  index.first_step_.resize(nodes + 1);
  index.partitioned_.resize(nodes);
  for (NodeId node = 0; node < nodes; ++node) {
    index.partitioned_[node] = space.is_partitioned(node);
    index.first_step_[node + 1] = index.first_step_[node] + space.step_count(node);
  }
  const std::size_t steps = index.first_step_[nodes];
  if (steps >= kNone) throw Error("StalenessIndex: more than 4 billion steps");
  index.node_of_.resize(steps);
  for (NodeId node = 0; node < nodes; ++node) {
    std::fill(index.node_of_.begin() + static_cast<std::ptrdiff_t>(index.first_step_[node]),
              index.node_of_.begin() + static_cast<std::ptrdiff_t>(index.first_step_[node + 1]),
              node);
  }
  index.topo_rank_.resize(nodes);
  std::uint32_t rank = 0;
  for (NodeId node : graph.topological_order()) index.topo_rank_[node] = rank++;

  // Upstream edges, sorted per step; an upstream reached both as an input and through `after`
  // counts as an input.
  index.up_offsets_.reserve(steps + 1);
  index.up_offsets_.push_back(0);
  std::vector<std::pair<StepId, char>> ups;
  for (StepId id = 0; id < steps; ++id) {
    const StepRef step = index.step(id);
    const auto typed = graph.typed_upstream(step.node);
    ups.clear();
    for (StepRef up : space.upstream_steps(step)) {
      const bool is_input = std::find(typed.begin(), typed.end(), up.node) != typed.end();
      ups.emplace_back(index.id(up), is_input ? 1 : 0);
    }
    std::sort(ups.begin(), ups.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
    StepId previous = kNone;
    for (const auto& [up, is_input] : ups) {
      if (up == previous) continue;
      previous = up;
      index.up_edges_.push_back(up);
      index.up_typed_.push_back(is_input);
    }
    index.up_offsets_.push_back(index.up_edges_.size());
  }

  // Downstream edges: the upstream edges inverted. Filling in StepId order keeps each list sorted.
  index.down_offsets_.assign(steps + 1, 0);
  for (StepId up : index.up_edges_) ++index.down_offsets_[up + 1];
  for (std::size_t i = 0; i < steps; ++i) index.down_offsets_[i + 1] += index.down_offsets_[i];
  index.down_edges_.resize(index.up_edges_.size());
  std::vector<std::size_t> fill(index.down_offsets_.begin(), index.down_offsets_.end() - 1);
  for (StepId id = 0; id < steps; ++id) {
    for (StepId up : index.upstream(id)) index.down_edges_[fill[up]++] = id;
  }

  index.freshness_.assign(steps, Freshness::kMissing);
  index.causes_.assign(steps, 0);
  index.queued_.assign(steps, 0);
  index.per_node_.resize(nodes);
  for (NodeId node = 0; node < nodes; ++node) {
    index.per_node_[node].missing = index.first_step_[node + 1] - index.first_step_[node];
  }
  index.total_.missing = steps;

  index.materialization_slot_.assign(steps, kNone);
  index.materializations_.reserve(versions.size());
  for (AssetVersionRecord& record : versions) {
    index.max_event_id_ = std::max(index.max_event_id_, record.event_id);
    auto id = index.find(record.asset_key, record.partition_key);
    if (!id) continue;
    std::uint32_t& slot = index.materialization_slot_[*id];
    if (slot == kNone) {
      slot = static_cast<std::uint32_t>(index.materializations_.size());
      index.materializations_.push_back(index.resolve(std::move(record)));
    } else if (index.materializations_[slot].record.event_id < record.event_id) {
      index.materializations_[slot] = index.resolve(std::move(record));
    }
  }

  index.observation_slot_.assign(steps, kNone);
  for (const ObservationRecord& observation : observations) {
    index.max_event_id_ = std::max(index.max_event_id_, observation.event_id);
    auto id = index.find(observation.asset_key, observation.partition_key);
    if (!id) continue;
    std::uint32_t& slot = index.observation_slot_[*id];
    if (slot == kNone) {
      slot = static_cast<std::uint32_t>(index.observations_.size());
      index.observations_.push_back(observation);
    } else if (index.observations_[slot].event_id < observation.event_id) {
      index.observations_[slot] = observation;
    }
  }

  for (NodeId node : graph.topological_order()) {
    for (std::size_t id = index.first_step_[node]; id < index.first_step_[node + 1]; ++id) {
      auto [freshness, causes] = index.evaluate(static_cast<StepId>(id), nullptr);
      index.set_state(static_cast<StepId>(id), freshness, causes);
    }
  }
  return index;
}

std::optional<StepId> StalenessIndex::find(std::string_view asset_key,
                                           std::string_view partition_key) const {
  auto node = space_->graph().find(asset_key);
  if (!node) return std::nullopt;
  if (!partitioned_[*node]) {
    if (!partition_key.empty()) return std::nullopt;
    return static_cast<StepId>(first_step_[*node]);
  }
  auto partition = space_->find(*node, partition_key);
  if (!partition) return std::nullopt;
  return static_cast<StepId>(first_step_[*node] + *partition);
}

StalenessIndex::Materialization StalenessIndex::resolve(AssetVersionRecord record) const {
  Materialization m;
  for (std::uint32_t i = 0; i < record.inputs.size(); ++i) {
    const InputVersion& input = record.inputs[i];
    if (input.asset_key == record.asset_key) {
      m.observed_input = static_cast<std::int32_t>(i);
      continue;
    }
    if (auto id = find(input.asset_key, input.partition_key)) {
      m.reads.emplace_back(*id, i);
    } else {
      m.gone.push_back(i);
    }
  }
  std::sort(m.reads.begin(), m.reads.end());
  m.reads.erase(std::unique(m.reads.begin(), m.reads.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                m.reads.end());
  m.record = std::move(record);
  return m;
}

std::pair<Freshness, StaleCauses> StalenessIndex::evaluate(StepId id, Explanation* explain) const {
  const std::uint32_t slot = materialization_slot_[id];
  if (slot == kNone) return {Freshness::kMissing, 0};
  const Materialization& m = materializations_[slot];
  const AssetVersionRecord& record = m.record;
  const NodeId node = node_of_[id];
  StaleCauses causes = 0;

  if (record.code_version != current_.code_versions[node]) causes |= stale_cause::kCodeVersion;
  if (node < current_.config_hashes.size() && current_.config_hashes[node] &&
      *current_.config_hashes[node] != record.config_hash) {
    causes |= stale_cause::kConfig;
  }
  if (const std::uint32_t obs = observation_slot_[id]; obs != kNone) {
    if (m.observed_input < 0 ||
        record.inputs[static_cast<std::size_t>(m.observed_input)].data_version !=
            observations_[obs].data_version) {
      causes |= stale_cause::kSource;
    }
  }
  if (!m.gone.empty()) causes |= stale_cause::kInputs;

  // Merge the upstream steps of now with the steps the materialization read (both sorted).
  const auto ups = upstream(id);
  const std::size_t up_base = up_offsets_[id];
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < ups.size() || j < m.reads.size()) {
    if (j == m.reads.size() || (i < ups.size() && ups[i] < m.reads[j].first)) {
      if (up_typed_[up_base + i]) {
        causes |= stale_cause::kInputs;
        if (explain) explain->new_inputs.push_back(ups[i]);
      }
      ++i;
    } else if (i == ups.size() || m.reads[j].first < ups[i]) {
      causes |= stale_cause::kInputs;
      if (explain) explain->no_longer_read.push_back(m.reads[j].first);
      ++j;
    } else {
      const std::uint32_t up_slot = materialization_slot_[ups[i]];
      if (up_slot != kNone && materializations_[up_slot].record.data_version !=
                                  record.inputs[m.reads[j].second].data_version) {
        causes |= stale_cause::kUpstreamData;
        if (explain) explain->newer.push_back(ups[i]);
      }
      ++i;
      ++j;
    }
  }
  for (StepId up : ups) {
    if (freshness_[up] != Freshness::kFresh) {
      causes |= stale_cause::kUpstreamStale;
      if (!explain) break;
      explain->not_fresh.push_back(up);
    }
  }
  return {causes == 0 ? Freshness::kFresh : Freshness::kStale, causes};
}

void StalenessIndex::set_state(StepId id, Freshness freshness, StaleCauses causes) {
  causes_[id] = causes;
  const Freshness old = freshness_[id];
  if (old == freshness) return;
  freshness_[id] = freshness;
  auto counter = [](Counts& counts, Freshness f) -> std::size_t& {
    switch (f) {
      case Freshness::kFresh:
        return counts.fresh;
      case Freshness::kStale:
        return counts.stale;
      case Freshness::kMissing:
        break;
    }
    return counts.missing;
  };
  Counts& node_counts = per_node_[node_of_[id]];
  --counter(node_counts, old);
  ++counter(node_counts, freshness);
  --counter(total_, old);
  ++counter(total_, freshness);
}

void StalenessIndex::propagate(StepId changed, bool data_version_changed) {
  // A min-heap on (topological rank of the asset, step): every step is evaluated after all the
  // steps it reads that are being re-evaluated too.
  std::vector<std::pair<std::uint64_t, StepId>> heap;
  auto push = [&](StepId id) {
    queued_[id] = 1;
    heap.emplace_back((static_cast<std::uint64_t>(topo_rank_[node_of_[id]]) << 32) | id, id);
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  push(changed);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const StepId id = heap.back().second;
    heap.pop_back();
    queued_[id] = 0;
    const Freshness old = freshness_[id];
    auto [freshness, causes] = evaluate(id, nullptr);
    set_state(id, freshness, causes);
    // Downstream steps see only an upstream's freshness and data version.
    if (freshness == old && !(id == changed && data_version_changed)) continue;
    for (StepId down : downstream(id)) {
      if (!queued_[down]) push(down);
    }
  }
}

bool StalenessIndex::apply(const AssetVersionRecord& record) {
  max_event_id_ = std::max(max_event_id_, record.event_id);
  auto id = find(record.asset_key, record.partition_key);
  if (!id) return false;
  std::uint32_t& slot = materialization_slot_[*id];
  bool data_version_changed = true;
  if (slot == kNone) {
    slot = static_cast<std::uint32_t>(materializations_.size());
    materializations_.push_back(resolve(record));
  } else {
    Materialization& held = materializations_[slot];
    if (held.record.event_id > record.event_id) return false;
    data_version_changed = held.record.data_version != record.data_version;
    held = resolve(record);
  }
  propagate(*id, data_version_changed);
  return true;
}

bool StalenessIndex::apply(const ObservationRecord& observation) {
  max_event_id_ = std::max(max_event_id_, observation.event_id);
  auto id = find(observation.asset_key, observation.partition_key);
  if (!id) return false;
  std::uint32_t& slot = observation_slot_[*id];
  if (slot == kNone) {
    slot = static_cast<std::uint32_t>(observations_.size());
    observations_.push_back(observation);
  } else {
    if (observations_[slot].event_id > observation.event_id) return false;
    observations_[slot] = observation;
  }
  propagate(*id, false);
  return true;
}

const AssetVersionRecord* StalenessIndex::materialization(StepRef step) const {
  const std::uint32_t slot = materialization_slot_[id(step)];
  return slot == kNone ? nullptr : &materializations_[slot].record;
}

const ObservationRecord* StalenessIndex::observation(StepRef step) const {
  const std::uint32_t slot = observation_slot_[id(step)];
  return slot == kNone ? nullptr : &observations_[slot];
}

std::vector<StepRef> StalenessIndex::not_fresh(std::span<const StepRef> selected) const {
  std::vector<StepRef> out;
  for (StepRef step : selected) {
    if (freshness(step) != Freshness::kFresh) out.push_back(step);
  }
  return out;
}

namespace {

// The steps of `ids` (sorted, so grouped by asset) as runs of one asset each.
template <class Fn>
void for_each_asset(const StalenessIndex& index, const std::vector<StepId>& ids, Fn fn) {
  std::size_t begin = 0;
  while (begin < ids.size()) {
    const NodeId node = index.step(ids[begin]).node;
    std::size_t end = begin + 1;
    while (end < ids.size() && index.step(ids[end]).node == node) ++end;
    fn(node, std::span<const StepId>(ids).subspan(begin, end - begin));
    begin = end;
  }
}

// "(2025-01-01, 2025-01-02, 2025-01-03, …)"
std::string key_list(const StalenessIndex& index, std::span<const StepId> ids) {
  std::string out = "(";
  for (std::size_t i = 0; i < ids.size() && i < kKeysListed; ++i) {
    if (i > 0) out += ", ";
    out += index.space().key(index.step(ids[i]));
  }
  if (ids.size() > kKeysListed) out += ", …";
  return out + ")";
}

std::string partitions(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " partition" : " partitions");
}

// "upstream credit/raw[2025-01-01] has newer data" for one step, "upstream credit/raw has newer
// data in 3 partitions (…)" for several of one asset.
void describe_upstream(const StalenessIndex& index, const std::vector<StepId>& ids,
                       std::string_view what, std::string_view preposition,
                       std::vector<std::string>& out) {
  for_each_asset(index, ids, [&](NodeId node, std::span<const StepId> group) {
    const PartitionSpace& space = index.space();
    if (group.size() == 1) {
      out.push_back("upstream " + space.step_key(index.step(group[0])) + " " + std::string(what));
    } else {
      out.push_back("upstream " + space.graph().key(node) + " " + std::string(what) +
                    std::string(preposition) + partitions(group.size()) + " " +
                    key_list(index, group));
    }
  });
}

}  // namespace

std::vector<std::string> StalenessIndex::reasons(StepRef step, StaleCauses only) const {
  const StepId step_id = id(step);
  if (freshness_[step_id] == Freshness::kMissing) return {"never materialized"};
  if (freshness_[step_id] == Freshness::kFresh) return {};
  Explanation explain;
  const StaleCauses causes = evaluate(step_id, &explain).second & only;
  const AssetVersionRecord& record = materializations_[materialization_slot_[step_id]].record;
  const Materialization& m = materializations_[materialization_slot_[step_id]];
  const PartitionSpace& space = *space_;
  std::vector<std::string> out;

  if (causes & stale_cause::kCodeVersion) {
    const std::string& now = current_.code_versions[step.node];
    out.push_back("code version changed " +
                  (record.code_version.empty() ? "(none)" : record.code_version) + " → " +
                  (now.empty() ? "(none)" : now));
  }
  if (causes & stale_cause::kConfig) out.push_back("config changed");
  if (causes & stale_cause::kSource) {
    const std::string* recorded =
        m.observed_input < 0
            ? nullptr
            : &record.inputs[static_cast<std::size_t>(m.observed_input)].data_version;
    out.push_back("source changed: observed version " + short_version(recorded) + " → " +
                  short_version(&observations_[observation_slot_[step_id]].data_version));
  }
  if (causes & stale_cause::kInputs) {
    for_each_asset(*this, explain.new_inputs, [&](NodeId node, std::span<const StepId> group) {
      if (space.is_partitioned(node)) {
        out.push_back("inputs changed: " + std::to_string(group.size()) + " new " +
                      (group.size() == 1 ? "partition" : "partitions") + " of " +
                      space.graph().key(node));
      } else {
        out.push_back("inputs changed: new upstream " + space.graph().key(node));
      }
    });
    for_each_asset(*this, explain.no_longer_read, [&](NodeId node, std::span<const StepId> group) {
      if (group.size() == 1) {
        out.push_back("inputs changed: no longer reads " + space.step_key(this->step(group[0])));
      } else {
        out.push_back("inputs changed: no longer reads " + partitions(group.size()) + " of " +
                      space.graph().key(node));
      }
    });
    // Inputs that left the space, by asset, in the order recorded.
    std::vector<std::pair<std::string_view, std::vector<const InputVersion*>>> gone;
    for (std::uint32_t i : m.gone) {
      const InputVersion& input = record.inputs[i];
      auto it = std::find_if(gone.begin(), gone.end(),
                             [&](const auto& g) { return g.first == input.asset_key; });
      if (it == gone.end()) it = gone.insert(gone.end(), {input.asset_key, {}});
      it->second.push_back(&input);
    }
    for (const auto& [asset_key, inputs] : gone) {
      if (inputs.size() == 1) {
        const InputVersion& input = *inputs.front();
        out.push_back("inputs changed: " + input.asset_key +
                      (input.partition_key.empty() ? "" : "[" + input.partition_key + "]") +
                      " no longer exists");
      } else {
        out.push_back("inputs changed: " + partitions(inputs.size()) + " of " +
                      std::string(asset_key) + " no longer exist");
      }
    }
  }
  if (causes & stale_cause::kUpstreamData) {
    describe_upstream(*this, explain.newer, "has newer data", " in ", out);
  }
  if (causes & stale_cause::kUpstreamStale) {
    std::vector<StepId> stale;
    std::vector<StepId> missing;
    for (StepId up : explain.not_fresh) {
      (freshness_[up] == Freshness::kMissing ? missing : stale).push_back(up);
    }
    describe_upstream(*this, stale, "is stale", " in ", out);
    describe_upstream(*this, missing, "is missing", " ", out);
  }
  return out;
}

CurrentVersions current_versions(const AssetGraph& graph, const RunConfig* config) {
  CurrentVersions current = CurrentVersions::of(graph);
  current.config_hashes.resize(graph.size());
  for (NodeId node = 0; node < graph.size(); ++node) {
    const AssetDefinition& def = graph.definition(node);
    if (!def.config) {
      current.config_hashes[node] = "";
      continue;
    }
    std::string canonical = default_config_json(*def.config);
    if (config != nullptr) {
      auto given = config->canonical_by_asset.find(def.key);
      if (given != config->canonical_by_asset.end()) canonical = given->second;
    }
    current.config_hashes[node] = config_hash(canonical);
  }
  return current;
}

}  // namespace cairn
