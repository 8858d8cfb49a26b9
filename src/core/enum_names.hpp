#pragma once
// Enums written as text (event types, statuses): a table of (value, name) pairs and the two
// look-ups every such enum needs.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace cairn {

template <class E, std::size_t N>
using EnumNames = std::array<std::pair<E, std::string_view>, N>;

/// The name of `value`, or "UNKNOWN" if the table lacks it.
template <class E, std::size_t N>
std::string_view name_of(const EnumNames<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "UNKNOWN";
}

/// The value named `text`, if any.
template <class E, std::size_t N>
std::optional<E> value_of(const EnumNames<E, N>& table, std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace cairn
