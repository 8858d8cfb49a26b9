#include "partitions/partition_key.hpp"

#include <string>

#include "cairn/partitions.hpp"

namespace cairn {

bool is_valid_partition_key(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == '@' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void validate_partition_key(std::string_view key, std::string_view what) {
  if (is_valid_partition_key(key)) return;
  throw PartitionError("invalid partition key '" + std::string(key) + "' for " + std::string(what) +
                       ": a key is 1 to 255 characters among letters, digits and _ . : @ + -");
}

}  // namespace cairn
