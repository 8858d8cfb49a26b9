#pragma once
// The JSON payload of an ASSET_MATERIALIZATION event (docs/storage.md, "Events"):
//   {"uri": ..., "io_manager": ..., "codec": ..., "code_version": ..., "metadata": {label: {"type":
//   t, "value": v}}}
// Metadata types: int, float, bool, text, json, path.

#include <string>

#include "cairn/metadata.hpp"

namespace cairn {

struct MaterializationPayload {
  std::string uri;
  std::string io_manager;
  std::string codec;
  std::string code_version;
  Metadata metadata;
};

std::string to_json(const MaterializationPayload& payload);
MaterializationPayload materialization_payload_from_json(const std::string& text);

/// Throws cairn::Error if `value` is a JsonText that does not parse.
void check_metadata_value(const std::string& label, const MetadataValue& value);

}  // namespace cairn
