#pragma once
// The characters a partition key may use: letters, digits and _ . : @ + -. Keys appear in step
// keys ("asset[key]"), file names of stored values and URLs, so brackets, slashes and spaces are
// kept out.

#include <string_view>

namespace cairn {

bool is_valid_partition_key(std::string_view key);

/// Throws PartitionError naming `what` (e.g. "dynamic partition set 'models'") and the allowed
/// characters if `key` is empty or uses another character.
void validate_partition_key(std::string_view key, std::string_view what);

}  // namespace cairn
