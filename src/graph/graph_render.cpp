#include "graph/graph_render.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "cairn/config.hpp"
#include "core/type_name.hpp"
#include "graph/selection.hpp"

namespace cairn {

namespace {

std::vector<char> membership(const AssetGraph& g, std::span<const NodeId> subset) {
  std::vector<char> member(g.size(), 0);
  for (NodeId id : subset) member[id] = 1;
  return member;
}

/// `text` as a DOT quoted string.
std::string dot_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* backoff_name(Backoff backoff) {
  switch (backoff) {
    case Backoff::kConstant:
      return "constant";
    case Backoff::kLinear:
      return "linear";
    case Backoff::kExponential:
      return "exponential";
  }
  return "constant";
}

}  // namespace

std::string render_tree(const AssetGraph& g, std::span<const NodeId> subset) {
  const std::vector<char> member = membership(g, subset);
  struct Line {
    NodeId id;
    std::string prefix;  ///< the rails of the ancestors
    bool root;
    bool last;  ///< the last child of its parent: "└── " rather than "├── "
    bool after;
  };
  // An explicit stack rather than recursion: a long chain must not overflow the call stack.
  std::vector<Line> pending;
  for (auto it = subset.rbegin(); it != subset.rend(); ++it) {
    auto upstream = g.upstream(*it);
    bool root =
        std::none_of(upstream.begin(), upstream.end(), [&](NodeId up) { return member[up]; });
    // Pushed last-first, so that the first root is printed first.
    if (root) pending.push_back({*it, "", true, false, false});
  }
  std::string out;
  std::vector<char> printed(g.size(), 0);
  std::vector<NodeId> children;
  while (!pending.empty()) {
    Line line = std::move(pending.back());
    pending.pop_back();
    out += line.prefix;
    if (!line.root) out += line.last ? "└── " : "├── ";
    out += g.key(line.id);
    if (line.after) out += " (after)";
    if (printed[line.id]) {
      out += " (see above)\n";
      continue;
    }
    printed[line.id] = 1;
    out += "  [" + g.definition(line.id).group + "]\n";
    std::string child_prefix = line.root ? "" : line.prefix + (line.last ? "    " : "│   ");
    children.clear();
    for (NodeId down : g.downstream(line.id)) {
      if (member[down]) children.push_back(down);
    }
    for (std::size_t i = children.size(); i-- > 0;) {
      pending.push_back({children[i], child_prefix, false, i + 1 == children.size(),
                         g.is_ordering_only(line.id, children[i])});
    }
  }
  return out;
}

std::string render_dot(const AssetGraph& g, std::span<const NodeId> subset) {
  const std::vector<char> member = membership(g, subset);
  std::map<std::string_view, std::vector<NodeId>> clusters;
  for (NodeId id : subset) {
    clusters[g.definition(id).group].push_back(id);
  }
  std::string out = "digraph cairn {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  std::size_t index = 0;
  for (const auto& [group, nodes] : clusters) {
    // Cluster ids are numbered: a group name can hold anything, the label shows it.
    out += "  subgraph cluster_" + std::to_string(index++) + " {\n    label=" + dot_quoted(group) +
           ";\n";
    for (NodeId id : nodes) out += "    " + dot_quoted(g.key(id)) + ";\n";
    out += "  }\n";
  }
  for (NodeId id : subset) {
    for (NodeId up : g.upstream(id)) {
      if (!member[up]) continue;
      out += "  " + dot_quoted(g.key(up)) + " -> " + dot_quoted(g.key(id));
      out += g.is_ordering_only(up, id) ? " [style=dashed];\n" : ";\n";
    }
  }
  return out + "}\n";
}

std::string render_json(const AssetGraph& g, std::span<const NodeId> subset) {
  using Json = nlohmann::ordered_json;
  // Each asset is built and dumped on its own: one document holding 100 000 assets costs ten
  // times more in allocation than the text it produces.
  std::string out = "{\"assets\":[";
  for (NodeId id : subset) {
    const AssetDefinition& def = g.definition(id);
    Json asset = Json::object();
    asset["key"] = def.key;
    asset["group"] = def.group;
    asset["description"] = def.description;
    asset["type"] = def.value_type != nullptr ? type_name(*def.value_type) : "unknown";
    asset["deps"] = def.deps;
    asset["after"] = def.after;
    asset["tags"] = def.tags;
    asset["code_version"] = def.code_version;
    asset["io_manager"] = def.io_manager;
    asset["resources"] = def.required_resources;
    Json& retry = asset["retry"];
    retry["max_attempts"] = def.retry.max_attempts;
    retry["delay_ms"] = def.retry.delay.count();
    retry["max_delay_ms"] = def.retry.max_delay.count();
    retry["backoff"] = backoff_name(def.retry.backoff);
    retry["jitter"] = def.retry.jitter;
    asset["timeout_ms"] = def.timeout.count();
    Json& config = asset["config"];
    if (def.config) {
      config = Json::array();
      for (const auto& field : def.config->fields) {
        Json& entry = config.emplace_back(Json::object());
        entry["name"] = field.name;
        entry["type"] = config_type_name(field.type_index);
        std::visit([&](const auto& value) { entry["default"] = value; }, field.default_value);
        entry["doc"] = field.doc;
      }
    }
    asset["source"] = std::string(def.source_file) + ":" + std::to_string(def.source_line);
    if (out.back() != '[') out += ',';
    out += asset.dump();
  }
  out += "],\"jobs\":";
  Json jobs = Json::array();
  for (const auto& job : g.definitions().jobs) {
    Json& entry = jobs.emplace_back(Json::object());
    entry["name"] = job.name;
    entry["selection"] = job.selection;
    entry["description"] = job.description;
    entry["tags"] = job.tags;
    Json& keys = entry["assets"] = Json::array();
    for (NodeId id : resolve_selection(g, job.selection)) keys.push_back(g.key(id));
  }
  return out + jobs.dump() + "}";
}

}  // namespace cairn
