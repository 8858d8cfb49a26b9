#pragma once
// "Did you mean ...?" for names a user mistyped: asset keys, config fields, commands.

#include <string>
#include <string_view>
#include <vector>

namespace cairn {

/// Edit (Levenshtein) distance between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Up to `max_results` candidates close to `typed` (small edit distance, or containing it / being
/// contained by it), closest first.
std::vector<std::string> closest_names(std::string_view typed,
                                       const std::vector<std::string>& candidates,
                                       std::size_t max_results = 3);

/// " (did you mean 'a' or 'b'?)" or "" when nothing is close.
std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace cairn
