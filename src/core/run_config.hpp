#pragma once
// A run's config: JSON documents (a job's defaults, a --config file) merged and checked against
// the fields each asset declared with `.config<C>()`.
//
// Shape of a document: {"assets": {"<asset key>": {"<field>": <value>, ...}, ...}}.

#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cairn/asset.hpp"

namespace cairn {

struct ConfigSource {
  std::string origin;  // how to name it in errors: "config.json", "job 'nightly'"
  std::string json_text;
};

struct RunConfig {
  std::string json_text = "{}";                        // the merged document, recorded with the run
  std::unordered_map<std::string, AnyValue> by_asset;  // typed config of each asset declaring one
  /// The effective config of each asset declaring one, every field with its value (defaults
  /// filled in), as JSON with sorted keys: equal configs give equal text (data versions).
  std::unordered_map<std::string, std::string> canonical_by_asset;
};

/// The canonical JSON of a config made of the declared defaults only (what an asset's config is
/// when no run config mentions it).
std::string default_config_json(const ConfigSpec& spec);

/// Merges `sources` (a later one overrides an earlier one field by field), checks every section
/// against `assets`, and builds the typed config of each asset that declares one (its defaults
/// when no source mentions it). Throws ConfigError naming the source, the position of a syntax
/// error (line and column), the asset and the field.
RunConfig resolve_run_config(std::span<const ConfigSource> sources,
                             std::span<const AssetDefinition* const> assets);

}  // namespace cairn
