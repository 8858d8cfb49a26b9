#include "core/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace cairn {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> closest_names(std::string_view typed,
                                       const std::vector<std::string>& candidates,
                                       std::size_t max_results) {
  if (typed.empty()) return {};
  std::size_t threshold = std::max<std::size_t>(2, typed.size() / 3);
  std::vector<std::pair<std::size_t, const std::string*>> scored;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(typed, c);
    bool related = c.find(typed) != std::string::npos ||
                   (typed.size() >= 3 && typed.find(c) != std::string_view::npos);
    if (d <= threshold || related) scored.emplace_back(related ? std::min(d, threshold) : d, &c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, c] : scored) {
    if (out.size() == max_results) break;
    out.push_back(*c);
  }
  return out;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates) {
  auto close = closest_names(typed, candidates);
  if (close.empty()) return "";
  std::string text = " (did you mean ";
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (i > 0) text += i + 1 == close.size() ? " or " : ", ";
    text += "'" + close[i] + "'";
  }
  return text + "?)";
}

}  // namespace cairn
