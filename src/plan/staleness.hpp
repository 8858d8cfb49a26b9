#pragma once
// Whether each step (asset × partition) of a PartitionSpace is missing, stale or fresh, and why
// (docs/staleness.md). `status`, `materialize --stale-only` and the daemon's automation read it.
//
// Design note: the index keeps one dense array entry per step — steps are numbered asset by asset
// (StepId), so a step's state is a vector lookup — plus the upstream and downstream steps of
// every step in CSR form (offsets + one edge array), resolved once from the space's partition
// mappings. Per step it stores only a freshness and a byte of cause bits; the sentences of
// reasons() are built on demand, never on the hot path.
//
// A step's state depends on its own latest materialization and observation, the current code
// version and config hash of its asset, and the freshness and data versions of its upstream
// steps. So, as ninja re-stats only what a changed file reaches, apply() re-evaluates the changed
// step and walks downstream in topological order, going further only from steps whose freshness
// (or, for the changed step, data version) actually changed: re-materializing an asset with the
// same data version touches its direct downstream steps and stops there. Rejected: recomputing
// everything after each event (a 100 000-step pass per materialization) and memoizing reason
// strings (most are never read).
//
// The index refers to its PartitionSpace, which must outlive it. A space is a snapshot of the
// partitions at one time: when partitions appear (a new day, a new dynamic key), build a new
// space and a new index.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/run_config.hpp"
#include "core/storage.hpp"
#include "plan/partition_space.hpp"

namespace cairn {

enum class Freshness : std::uint8_t { kFresh, kStale, kMissing };
/// "fresh", "stale", "missing".
std::string_view to_string(Freshness freshness);

/// Why a step is stale, as bits (StalenessIndex::causes()); docs/staleness.md lists them.
using StaleCauses = std::uint8_t;
namespace stale_cause {
inline constexpr StaleCauses kCodeVersion = 1 << 0;    ///< (a) code version changed
inline constexpr StaleCauses kConfig = 1 << 1;         ///< (b) config changed
inline constexpr StaleCauses kUpstreamData = 1 << 2;   ///< (c) an input has a newer data version
inline constexpr StaleCauses kUpstreamStale = 1 << 3;  ///< (d) an upstream is stale or missing
inline constexpr StaleCauses kSource = 1 << 4;         ///< (e) the observed source changed
inline constexpr StaleCauses kInputs = 1 << 5;         ///< (f) the set of inputs changed
/// The causes that mean "there is new data upstream" (what eager automation reacts to).
inline constexpr StaleCauses kNewData = kUpstreamData | kSource | kInputs;
inline constexpr StaleCauses kAll = 0x3f;
}  // namespace stale_cause

/// The dense number of a step inside one StalenessIndex: steps of node 0 first, in partition
/// order, then node 1, and so on.
using StepId = std::uint32_t;

/// The code version and config hash each asset would run with now, by NodeId.
struct CurrentVersions {
  std::vector<std::string> code_versions;
  /// config_hash() of the config the next run would use; nullopt (or a vector shorter than the
  /// graph) means "unknown": configs are then not compared.
  std::vector<std::optional<std::string>> config_hashes;

  /// The definitions' code versions; configs not compared.
  static CurrentVersions of(const AssetGraph& graph);
};

/// The code version of each asset, and the hash of the config each asset would run with under
/// `config` (its declared defaults when `config` is null) — what the next run would record.
CurrentVersions current_versions(const AssetGraph& graph, const RunConfig* config);

/// Missing / stale / fresh for every step of a space. Not thread-safe: one owner (the CLI
/// command, or the daemon's loop) builds, updates and reads it.
///
/// @code
///   auto space = cairn::PartitionSpace::build(graph, now, storage.all_dynamic_partitions());
///   auto index = cairn::StalenessIndex::build(space, storage.asset_versions(),
///                                             storage.latest_observations(),
///                                             cairn::CurrentVersions::of(graph));
///   for (const auto& r : storage.asset_versions_after(index.max_event_id())) index.apply(r);
///   if (index.freshness({node, 0}) != cairn::Freshness::kFresh) {
///     for (const std::string& why : index.reasons({node, 0})) std::cout << why << "\n";
///   }
/// @endcode
class StalenessIndex {
 public:
  struct Counts {
    std::size_t fresh = 0;
    std::size_t stale = 0;
    std::size_t missing = 0;
  };

  /// Evaluates every step from the latest materialization and observation of each. Records of
  /// steps outside the space (a removed asset, a partition that no longer exists) are ignored;
  /// of several records for one step, the one with the highest event id counts.
  static StalenessIndex build(const PartitionSpace& space, std::vector<AssetVersionRecord> versions,
                              std::span<const ObservationRecord> observations,
                              CurrentVersions current);

  /// A new materialization: re-evaluates its step and what that reaches downstream. Returns
  /// false (and changes nothing) if the step is not in the space or the index already holds a
  /// newer materialization of it.
  bool apply(const AssetVersionRecord& record);
  /// A new observation; the same rules.
  bool apply(const ObservationRecord& observation);

  Freshness freshness(StepRef step) const { return freshness_[id(step)]; }
  /// Zero for fresh and missing steps.
  StaleCauses causes(StepRef step) const { return causes_[id(step)]; }
  /// Why the step is not fresh, one sentence per cause ("code version changed 3 → 4",
  /// "upstream credit/raw[2025-01-01] has newer data"); {"never materialized"} for a missing
  /// step, empty for a fresh one. `only` restricts the sentences to some causes.
  std::vector<std::string> reasons(StepRef step, StaleCauses only = stale_cause::kAll) const;

  /// The latest materialization of the step, or nullptr.
  const AssetVersionRecord* materialization(StepRef step) const;
  /// The latest observation of the step, or nullptr.
  const ObservationRecord* observation(StepRef step) const;

  Counts counts() const { return total_; }
  Counts counts(NodeId node) const { return per_node_[node]; }
  /// The steps of `selected` that are not fresh, in the given order (`materialize --stale-only`).
  std::vector<StepRef> not_fresh(std::span<const StepRef> selected) const;
  /// The highest event id among the records applied so far: ask storage for what came after.
  std::int64_t max_event_id() const { return max_event_id_; }

  const PartitionSpace& space() const { return *space_; }
  /// Number of steps of the space.
  std::size_t size() const { return freshness_.size(); }
  StepId id(StepRef step) const {
    return static_cast<StepId>(first_step_[step.node] + step.partition);
  }
  StepRef step(StepId id) const {
    return {node_of_[id], static_cast<PartitionIndex>(id - first_step_[node_of_[id]])};
  }
  /// Every upstream step of `id` (PartitionSpace::upstream_steps), sorted by StepId.
  std::span<const StepId> upstream(StepId id) const {
    return std::span<const StepId>(up_edges_).subspan(up_offsets_[id],
                                                      up_offsets_[id + 1] - up_offsets_[id]);
  }
  /// Every step reading `id`, sorted by StepId.
  std::span<const StepId> downstream(StepId id) const {
    return std::span<const StepId>(down_edges_)
        .subspan(down_offsets_[id], down_offsets_[id + 1] - down_offsets_[id]);
  }

 private:
  /// A materialization with its inputs resolved to steps of the space.
  struct Materialization {
    AssetVersionRecord record;
    /// (step read, index in record.inputs), sorted by step, one entry per step. Inputs that are
    /// no longer in the space, and the asset's own observed version, are not here.
    std::vector<std::pair<StepId, std::uint32_t>> reads;
    /// Indices in record.inputs of inputs whose step no longer exists.
    std::vector<std::uint32_t> gone;
    /// Index in record.inputs of the observed version of the asset itself, or -1.
    std::int32_t observed_input = -1;
  };
  struct Explanation;
  static constexpr std::uint32_t kNone = 0xffffffffu;

  StalenessIndex() = default;
  std::optional<StepId> find(std::string_view asset_key, std::string_view partition_key) const;
  Materialization resolve(AssetVersionRecord record) const;
  /// Computes the state of `id` from its inputs; fills `explain` when given.
  std::pair<Freshness, StaleCauses> evaluate(StepId id, Explanation* explain) const;
  void set_state(StepId id, Freshness freshness, StaleCauses causes);
  /// Re-evaluates `changed` and its downstream cone as far as states change.
  void propagate(StepId changed, bool data_version_changed);

  const PartitionSpace* space_ = nullptr;
  CurrentVersions current_;
  std::vector<std::size_t> first_step_;   // per node, plus the total at the end
  std::vector<char> partitioned_;         // per node: the space's is_partitioned(), cached
  std::vector<NodeId> node_of_;           // per step
  std::vector<std::uint32_t> topo_rank_;  // per node
  std::vector<std::size_t> up_offsets_;
  std::vector<StepId> up_edges_;
  std::vector<char> up_typed_;  // parallel to up_edges_: read as an input (not ordering-only)
  std::vector<std::size_t> down_offsets_;
  std::vector<StepId> down_edges_;

  std::vector<Freshness> freshness_;
  std::vector<StaleCauses> causes_;
  std::vector<std::uint32_t> materialization_slot_;  // per step: index in materializations_
  std::vector<Materialization> materializations_;
  std::vector<std::uint32_t> observation_slot_;  // per step: index in observations_
  std::vector<ObservationRecord> observations_;
  Counts total_;
  std::vector<Counts> per_node_;
  std::int64_t max_event_id_ = 0;

  // Scratch of propagate(), kept to avoid allocating per apply().
  std::vector<char> queued_;
};

}  // namespace cairn
