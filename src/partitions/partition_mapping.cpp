#include "partitions/partition_mapping.hpp"

#include <cassert>
#include <vector>

#include "partitions/partition_key.hpp"
#include "partitions/partitions_impl.hpp"

namespace cairn {

namespace {

using Kind = PartitionMapping::Kind;

/// The name a pipeline most likely gave the upstream's handle: the last segment of its key.
std::string handle_name(const std::string& key) {
  return key.substr(key.rfind('/') + 1);
}

std::string describe(const AssetDefinition& def) {
  return "'" + def.key + "' (" + (def.partitions ? def.partitions->describe() : "unpartitioned") +
         ")";
}

bool is_time_window(const std::optional<PartitionsDefinition>& p) {
  return p && p->kind() == PartitionsKind::kTimeWindow;
}

const TimeWindowSchedule& windows_of(const PartitionsDefinition& p) {
  return *p.impl().windows;
}

/// How the dependency reads in a message: "raw", "raw.offset(-1)", "raw.all_partitions()".
std::string written(const std::string& handle, const PartitionMapping& m) {
  switch (m.kind) {
    case Kind::kDefault:
      return handle;
    case Kind::kOffset:
      return handle + ".offset(" + std::to_string(m.offset) + ")";
    case Kind::kAll:
      return handle + ".all_partitions()";
    case Kind::kStatic:
      return handle + ".mapped({...})";
    case Kind::kSingle:
      return handle + ".partition(\"" + m.single_key + "\")";
  }
  return handle;
}

/// Why `key` is not a partition key of `p`, when that can be told without a time and without
/// the content of a dynamic set.
std::optional<std::string> key_problem(const PartitionsDefinition& p, const std::string& key) {
  switch (p.kind()) {
    case PartitionsKind::kStatic:
      if (p.impl().static_position(key)) return std::nullopt;
      return "'" + key + "' is not one of its keys";
    case PartitionsKind::kDynamic:
      if (is_valid_partition_key(key)) return std::nullopt;
      return "'" + key + "' is not a valid partition key (letters, digits and _ . : @ + -)";
    case PartitionsKind::kTimeWindow:
      try {
        p.window(key);
        return std::nullopt;
      } catch (const PartitionError& e) {
        return std::string(e.what());
      }
  }
  return std::nullopt;
}

std::optional<std::string> default_problem(const AssetDefinition& down, const AssetDefinition& up,
                                           DependencyKind kind) {
  const std::string h = handle_name(up.key);
  const bool typed = kind == DependencyKind::kTyped;
  if (!down.partitions) {
    if (typed) {
      return "asset '" + down.key + "' (unpartitioned) depends on partitioned " + describe(up) +
             " with the default mapping: pass " + h + ".all_partitions() or " + h +
             ".partition(\"KEY\")";
    }
    return "asset '" + down.key + "' (unpartitioned) runs after partitioned " + describe(up) +
           ": an .after() dependency maps partitions like the default mapping, which cannot "
           "choose among the partitions of '" +
           up.key + "'; partition '" + down.key + "' like '" + up.key + "', or depend on " + h +
           ".all_partitions() instead";
  }
  const PartitionsDefinition& d = *down.partitions;
  const PartitionsDefinition& u = *up.partitions;
  const std::string head = "asset " + describe(down) + (typed ? " depends on " : " runs after ") +
                           describe(up) + (typed ? " with the default mapping" : "");
  const std::string alternatives =
      typed ? "pass " + h + ".all_partitions(), " + h + ".partition(\"KEY\") or " + h +
                  ".mapped({...}), or partition both alike"
            : "partition both alike, or make it a typed dependency with an explicit mapping";
  if (d.kind() == PartitionsKind::kTimeWindow && u.kind() == PartitionsKind::kTimeWindow) {
    if (windows_of(d).same_grid(windows_of(u))) return std::nullopt;
    return head +
           ", which reads the same time window and so needs both on the same cadence, time zone "
           "and offsets; " +
           alternatives;
  }
  if (d.kind() == PartitionsKind::kStatic && u.kind() == PartitionsKind::kStatic) {
    std::vector<std::string> missing;
    for (const auto& key : d.static_keys()) {
      if (!u.impl().static_position(key)) missing.push_back("'" + key + "'");
    }
    if (missing.empty()) return std::nullopt;
    std::string list;
    for (const auto& key : missing) list += (list.empty() ? "" : ", ") + key;
    return head + ", which reads the partition with the same key, but '" + up.key +
           "' has no partition " + list + "; " + alternatives;
  }
  if (d.kind() == PartitionsKind::kDynamic && u.kind() == PartitionsKind::kDynamic &&
      d.dynamic_name() == u.dynamic_name()) {
    return std::nullopt;
  }
  return head + ", which needs both partitioned alike; " + alternatives;
}

}  // namespace

std::optional<std::string> partition_mapping_problem(const AssetDefinition& downstream,
                                                     const AssetDefinition& upstream,
                                                     const PartitionMapping& mapping,
                                                     DependencyKind kind) {
  const auto& d = downstream.partitions;
  const auto& u = upstream.partitions;
  if (mapping.kind == Kind::kDefault || kind == DependencyKind::kOrderingOnly) {
    if (!u) return std::nullopt;
    return default_problem(downstream, upstream, kind);
  }
  const std::string h = handle_name(upstream.key);
  const std::string head = "asset " + describe(downstream) + " depends on " + written(h, mapping) +
                           " of " + describe(upstream);
  if (!u) return head + ": '" + upstream.key + "' is not partitioned; pass " + h + " itself";
  switch (mapping.kind) {
    case Kind::kDefault:
    case Kind::kAll:
      return std::nullopt;
    case Kind::kOffset:
      if (!is_time_window(d) || !is_time_window(u)) {
        return head +
               ": an offset counts time windows, so both must be partitioned by time; use "
               "another mapping";
      }
      if (!windows_of(*d).same_grid(windows_of(*u))) {
        return head +
               ": an offset needs both on the same cadence, time zone and offsets; partition "
               "both alike or pass " +
               h + ".all_partitions()";
      }
      return std::nullopt;
    case Kind::kSingle:
      if (auto why = key_problem(*u, mapping.single_key)) {
        return head + ": " + *why + "; name a partition of '" + upstream.key + "'";
      }
      return std::nullopt;
    case Kind::kStatic: {
      if (!d) {
        return head + ": a mapping from downstream keys needs '" + downstream.key +
               "' to be partitioned; pass " + h + ".partition(\"KEY\") to read one partition";
      }
      if (mapping.static_map.empty()) {
        return head + ": the mapping is empty; map each partition of '" + downstream.key +
               "' to one of '" + upstream.key + "'";
      }
      for (const auto& [down_key, up_key] : mapping.static_map) {
        if (auto why = key_problem(*d, down_key)) {
          return head + ": downstream key " + *why + " ('" + downstream.key +
                 "'); fix the mapping's keys";
        }
        if (auto why = key_problem(*u, up_key)) {
          return head + ": upstream key " + *why + " ('" + upstream.key +
                 "'); fix the mapping's values";
        }
      }
      if (d->kind() == PartitionsKind::kStatic) {
        for (const auto& key : d->static_keys()) {
          if (!mapping.static_map.contains(key)) {
            return head + ": the mapping has no entry for partition '" + key + "' of '" +
                   downstream.key + "', which could then never run; add one";
          }
        }
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> ResolvedMapping::upstream_key(std::string_view key) const {
  if (static_map == nullptr) return key;
  auto it = static_map->find(std::string(key));
  if (it == static_map->end()) return std::nullopt;
  return std::string_view(it->second);
}

ResolvedMapping resolve_partition_mapping(const std::optional<PartitionsDefinition>& downstream,
                                          const std::optional<PartitionsDefinition>& upstream,
                                          const PartitionMapping& mapping) {
  ResolvedMapping r;
  if (!upstream) return r;
  switch (mapping.kind) {
    case Kind::kAll:
      r.kind = ResolvedMapping::Kind::kAll;
      return r;
    case Kind::kSingle:
      r.kind = ResolvedMapping::Kind::kSingle;
      r.single_key = mapping.single_key;
      return r;
    case Kind::kStatic:
      r.kind = ResolvedMapping::Kind::kByKey;
      r.static_map = &mapping.static_map;
      return r;
    case Kind::kOffset:
    case Kind::kDefault:
      assert(downstream && "partition_mapping_problem() rejects this mapping");
      if (is_time_window(downstream) && is_time_window(upstream)) {
        r.kind = ResolvedMapping::Kind::kShift;
        r.shift = windows_of(*downstream).shift_to(windows_of(*upstream)) +
                  (mapping.kind == Kind::kOffset ? mapping.offset : 0);
        return r;
      }
      r.kind = ResolvedMapping::Kind::kByKey;
      return r;
  }
  return r;
}

}  // namespace cairn
