#include "cairn/config.hpp"

#include <array>

namespace cairn {

std::string config_type_name(std::size_t variant_index) {
  static constexpr std::array<const char*, 7> kNames{"bool",  "int",     "float",   "string",
                                                     "int[]", "float[]", "string[]"};
  return variant_index < kNames.size() ? kNames[variant_index] : "unknown";
}

}  // namespace cairn
