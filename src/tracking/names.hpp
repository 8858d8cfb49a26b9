#pragma once
// What names of experiments, models, aliases and keys may be. Checked before anything is stored,
// so that a bad name is a TrackingError naming it, never a half-written record.

#include <string_view>

namespace cairn::tracking {

/// An experiment or model name: not empty, at most 256 bytes, no control characters, no
/// leading or trailing space. `kind` names it in the message ("experiment", "model").
void check_name(std::string_view kind, std::string_view name);

/// A param, metric or tag key: not empty, at most 256 bytes, no control characters.
void check_key(std::string_view kind, std::string_view key);

/// An alias: letters, digits, `_`, `-` and `.`, starting with a letter (so that it can never be
/// read as a version number).
void check_alias(std::string_view alias);

}  // namespace cairn::tracking
