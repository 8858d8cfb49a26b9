#pragma once
// The JSON payload of an ASSET_MATERIALIZATION event (docs/storage.md, "Events"):
//   {"uri": ..., "io_manager": ..., "codec": ..., "code_version": ..., "data_version": ...,
//    "config_hash": ..., "inputs": [[asset key, partition key, data version], ...],
//    "metadata": {label: {"type": t, "value": v}}}
// Metadata types: int, float, bool, text, json, path.

#include <string>
#include <vector>

#include "cairn/check.hpp"
#include "cairn/metadata.hpp"
#include "core/storage.hpp"

namespace cairn {

struct MaterializationPayload {
  std::string uri{};
  std::string io_manager{};
  std::string codec{};
  std::string code_version{};
  std::string data_version{};
  std::string config_hash{};
  std::vector<InputVersion> inputs{};
  Metadata metadata{};
};

std::string to_json(const MaterializationPayload& payload);
MaterializationPayload materialization_payload_from_json(const std::string& text);

/// The payload of an ASSET_CHECK_EVALUATION event: {"check", "passed", "severity", "blocking",
/// "description", "metadata"}.
std::string check_evaluation_payload(const std::string& check_name, bool blocking,
                                     const CheckResult& result);
/// The payload of an ASSET_OBSERVATION event: {"data_version": ...}.
std::string observation_payload(const std::string& data_version);

/// The payload of a DYNAMIC_PARTITIONS_ADDED event: {"name": ..., "keys": [...]}.
std::string dynamic_partitions_payload(std::string_view name, const std::vector<std::string>& keys);

/// Throws cairn::Error if `value` is a JsonText that does not parse.
void check_metadata_value(const std::string& label, const MetadataValue& value);

}  // namespace cairn
