#pragma once
/// @file selection.hpp
/// The selection language: which assets a command, job or run request means
/// ("*credit/model", "group:training and not tag:slow"). Reference: docs/selection.md.

#include <string_view>
#include <vector>

#include "graph/asset_graph.hpp"

namespace cairn {

/// Resolves a selection expression to the selected nodes, in topological order (the order of
/// AssetGraph::topological_order()). A well-formed selection that matches nothing (e.g.
/// "a and not a") returns an empty vector; whether that is an error is the caller's decision.
///
/// Throws SelectionError whose what() is a multi-line message: the problem, the expression, and
/// a caret line under the offending term, e.g.
/// @code
///   invalid selection: unknown asset 'credti/raw' (did you mean 'credit/raw'?)
///     credti/raw or group:x
///     ^^^^^^^^^^
/// @endcode
/// Errors: empty expression, a missing or misplaced operator, unbalanced parentheses, a malformed
/// key, an unknown asset key, an unknown group, a tag no asset has.
std::vector<NodeId> resolve_selection(const AssetGraph& graph, std::string_view expression);

}  // namespace cairn
