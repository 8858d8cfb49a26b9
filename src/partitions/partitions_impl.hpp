#pragma once
// What a PartitionsDefinition holds (cairn/partitions.hpp): the public class is a handle to one
// immutable PartitionsImpl shared by its copies.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/partitions.hpp"
#include "partitions/time_window.hpp"

namespace cairn::detail {

class PartitionsImpl {
 public:
  PartitionsKind kind = PartitionsKind::kStatic;
  std::vector<std::string> static_keys;                                // kStatic
  std::map<std::string, std::uint32_t, std::less<>> static_positions;  // kStatic: key -> index
  std::string dynamic_name;                                            // kDynamic
  std::optional<TimeWindowSchedule> windows;                           // kTimeWindow

  /// kStatic: the index of `key` among static_keys.
  std::optional<std::uint32_t> static_position(std::string_view key) const {
    auto it = static_positions.find(key);
    if (it == static_positions.end()) return std::nullopt;
    return it->second;
  }
};

}  // namespace cairn::detail
