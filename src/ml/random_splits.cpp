// Seeded splits: random_split and stratified_split.
//
// The generator is xoshiro256** (Blackman & Vigna) seeded through splitmix64, and bounded draws
// use rejection sampling with `%`, so a seed gives the same split with every compiler and
// standard library. std::mt19937_64 would be portable too, but std::uniform_int_distribution
// and std::shuffle are not: libstdc++, libc++ and MSVC produce different sequences.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/ml/splits.hpp"

namespace cairn::ml {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, n), n > 0, without modulo bias: draws below 2^64 mod n are rejected.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t reject_under = (0 - n) % n;
    while (true) {
      const std::uint64_t r = next();
      if (r >= reject_under) return r % n;
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

/// Moves a uniformly random choice of `k` of `rows` to its front (a partial Fisher–Yates).
void shuffle_front(std::vector<std::size_t>& rows, std::size_t k, Xoshiro256& rng) {
  for (std::size_t i = 0; i < k; ++i) {
    std::swap(rows[i], rows[i + rng.below(rows.size() - i)]);
  }
}

std::string fraction_text(double f) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), f);
  return std::string(buffer, end);
}

void require_fraction(std::string_view split, double test_fraction) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0)) {
    throw SplitError(std::string(split) + ": test_fraction must be in (0, 1), got " +
                     fraction_text(test_fraction) + "; pass e.g. 0.2 for a 20% test set");
  }
}

/// ceil(test_fraction × rows), ignoring relative representation noise below 1e-9 (0.3 × 10 may
/// come out as 3.0000000000000004). Throws when either side would be empty.
std::size_t test_rows(std::string_view split, std::size_t rows, double test_fraction) {
  require_fraction(split, test_fraction);
  if (rows == 0) throw SplitError(std::string(split) + ": no rows to split");
  const double exact = test_fraction * static_cast<double>(rows);
  const auto n = static_cast<std::size_t>(std::ceil(exact - 1e-9 * exact));
  if (n == 0 || n == rows) {
    throw SplitError(std::string(split) + ": test_fraction " + fraction_text(test_fraction) +
                     " of " + std::to_string(rows) + " rows leaves the " +
                     (n == 0 ? "test" : "train") +
                     " set empty; use more rows or a fraction nearer 0.5");
  }
  return n;
}

/// The split with `is_test[i]` saying where row i goes.
Split from_marks(const std::vector<bool>& is_test, std::size_t test_count) {
  Split split;
  split.test.reserve(test_count);
  split.train.reserve(is_test.size() - test_count);
  for (std::size_t i = 0; i < is_test.size(); ++i) {
    (is_test[i] ? split.test : split.train).push_back(i);
  }
  return split;
}

/// Rows of each class, in ascending row order; classes in ascending label order.
using Classes = std::vector<std::vector<std::size_t>>;

template <class Label, class LabelOf>
Classes group_by_label(std::size_t rows, LabelOf label_of) {
  std::map<Label, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < rows; ++i) groups[label_of(i)].push_back(i);
  Classes classes;
  classes.reserve(groups.size());
  for (auto& [label, members] : groups) classes.push_back(std::move(members));
  return classes;
}

Split stratify(Classes classes, std::size_t rows, double test_fraction, std::uint64_t seed) {
  constexpr std::string_view kName = "stratified_split";
  const std::size_t total = test_rows(kName, rows, test_fraction);

  // Largest remainder: every class gets the floor of its share, then the rows still missing go
  // one each to the classes whose share was cut the most.
  std::vector<std::size_t> take(classes.size());
  // Remainders on a 1e-9 grid, so that shares equal but for rounding (0.1 × 5 and 0.1 × 15) tie.
  std::vector<std::int64_t> remainder(classes.size());
  std::size_t assigned = 0;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const double share = test_fraction * static_cast<double>(classes[c].size());
    take[c] =
        std::min(classes[c].size(), static_cast<std::size_t>(std::floor(share + 1e-9 * share)));
    remainder[c] = std::llround((share - static_cast<double>(take[c])) * 1e9);
    assigned += take[c];
  }
  std::vector<std::size_t> order(classes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t c : order) {
    if (assigned >= total) break;
    if (take[c] < classes[c].size()) {
      ++take[c];
      ++assigned;
    }
  }

  Xoshiro256 rng(seed);
  std::vector<bool> is_test(rows, false);
  for (std::size_t c = 0; c < classes.size(); ++c) {
    shuffle_front(classes[c], take[c], rng);
    for (std::size_t i = 0; i < take[c]; ++i) is_test[classes[c][i]] = true;
  }
  return from_marks(is_test, assigned);
}

}  // namespace

Split random_split(std::size_t rows, double test_fraction, std::uint64_t seed) {
  const std::size_t n_test = test_rows("random_split", rows, test_fraction);
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Xoshiro256 rng(seed);
  shuffle_front(order, n_test, rng);
  std::vector<bool> is_test(rows, false);
  for (std::size_t i = 0; i < n_test; ++i) is_test[order[i]] = true;
  return from_marks(is_test, n_test);
}

Split stratified_split(std::span<const double> labels, double test_fraction, std::uint64_t seed) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (std::isnan(labels[i])) {
      throw SplitError("stratified_split: label at index " + std::to_string(i) +
                       " is NaN; drop or fill rows without a label first");
    }
  }
  // -0.0 and +0.0 compare equal, so they are one class.
  return stratify(group_by_label<double>(labels.size(), [&](std::size_t i) { return labels[i]; }),
                  labels.size(), test_fraction, seed);
}

Split stratified_split(const Table& table, std::string_view label_column, double test_fraction,
                       std::uint64_t seed) {
  const Column& column = table.column(label_column);
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (column.is_null(i)) {
      throw SplitError("stratified_split: label column '" + std::string(label_column) +
                       "' is null at row " + std::to_string(i) +
                       "; drop or fill rows without a label first");
    }
  }
  if (column.type() == DataType::kString) {
    return stratify(group_by_label<std::string_view>(
                        column.size(), [&](std::size_t i) { return column.string_at(i); }),
                    column.size(), test_fraction, seed);
  }
  std::vector<double> labels(column.size());
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = column.number_at(i);
  return stratified_split(labels, test_fraction, seed);
}

}  // namespace cairn::ml
