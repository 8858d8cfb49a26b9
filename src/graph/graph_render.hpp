#pragma once
/// @file graph_render.hpp
/// Renderings of (part of) the asset graph for people and tools: a text tree for the terminal
/// (`graph`), Graphviz DOT (`graph --dot`) and JSON (`list --json`, the UI, snapshots).
///
/// Each takes the subset to show, each asset at most once, usually the result of
/// resolve_selection(); edges are drawn only between members of the subset. An empty subset renders
/// an empty tree, an empty digraph and empty asset list.
///
/// @code
///   auto selected = cairn::resolve_selection(graph, "*credit/model");
///   std::cout << cairn::render_tree(graph, selected);
/// @endcode

#include <span>
#include <string>

#include "graph/asset_graph.hpp"

namespace cairn {

/// A text tree from upstream to downstream. Roots are the members of `subset` with no upstream in
/// it, in `subset` order; children are downstream members, by NodeId. Each line is
/// "key  [group]", drawn with "├── ", "└── " and "│   "; a child reached only through an ordering
/// dependency is marked " (after)"; an asset reached a second time is printed once more as
/// "key (see above)", without its children. Every line ends with '\n'.
/// @code
///   raw  [credit]
///   ├── features  [credit]
///   │   └── model  [training]
///   └── report (after)  [credit]
/// @endcode
std::string render_tree(const AssetGraph& g, std::span<const NodeId> subset);

/// A Graphviz digraph laid out left to right, one cluster per group, ordering-only edges
/// dashed; every identifier is quoted and escaped. Render with `dot -Tsvg`.
std::string render_dot(const AssetGraph& g, std::span<const NodeId> subset);

/// The members of `subset` (in `subset` order) and every job of the graph, as one line of JSON
/// (pipe it through `jq` to read it):
/// @code
///   {"assets": [{"key", "group", "description", "type", "deps": [keys], "after": [keys],
///                "tags": {}, "code_version", "io_manager", "resources": [keys],
///                "retry": {"max_attempts", "delay_ms", "max_delay_ms", "backoff", "jitter"},
///                "timeout_ms", "config": [{"name", "type", "default", "doc"}] or null,
///                "source": "file:line"}],
///    "jobs": [{"name", "selection", "description", "tags": {}, "assets": [keys]}]}
/// @endcode
/// `deps` are in compute-argument order; `backoff` is "constant", "linear" or "exponential";
/// `timeout_ms` is 0 when there is no timeout; a job's `assets` is its whole selection, in
/// topological order, whatever `subset` is.
std::string render_json(const AssetGraph& g, std::span<const NodeId> subset);

}  // namespace cairn
