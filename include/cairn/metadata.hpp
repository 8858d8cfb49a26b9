#pragma once
/// @file metadata.hpp
/// User metadata attached to a materialization: numbers, text, JSON, and paths.

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace cairn {

/// A JSON document given as text, e.g. `ctx.add_metadata("report", cairn::JsonText{text})`;
/// validated when it is added.
struct JsonText {
  std::string text;
};

/// A filesystem path (a plot, a report) shown as a link by the UI.
struct PathValue {
  std::string path;
};

/// One metadata value. Integers and floating-point numbers stay distinct so charts and the UI
/// can format them correctly.
using MetadataValue = std::variant<std::int64_t, double, bool, std::string, JsonText, PathValue>;

/// Metadata entries of one materialization, ordered by label.
using Metadata = std::map<std::string, MetadataValue>;

}  // namespace cairn
