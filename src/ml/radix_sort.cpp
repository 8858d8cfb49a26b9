#include "ml/radix_sort.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace cairn::ml::detail {

namespace {
constexpr int kDigitBits = 8;
constexpr int kPasses = 64 / kDigitBits;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
// Below this, std::sort wins: the radix passes cost kPasses * kBuckets before the first key.
constexpr std::size_t kRadixMinimum = 4096;
}  // namespace

void radix_sort(std::vector<std::uint64_t>& keys) {
  if (keys.size() < kRadixMinimum) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  // One read computes every pass's histogram; a pass whose digit is the same for all keys
  // (the sign and exponent bytes of probabilities often are) is skipped.
  std::vector<std::array<std::size_t, kBuckets>> counts(kPasses);
  for (auto& c : counts) c.fill(0);
  for (std::uint64_t k : keys) {
    for (int p = 0; p < kPasses; ++p) ++counts[p][(k >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  std::vector<std::uint64_t> buffer(keys.size());
  for (int p = 0; p < kPasses; ++p) {
    auto& count = counts[p];
    const std::uint64_t first_digit = (keys[0] >> (p * kDigitBits)) & (kBuckets - 1);
    if (count[first_digit] == keys.size()) continue;
    std::size_t offset = 0;
    for (auto& c : count) {
      const std::size_t n = c;
      c = offset;
      offset += n;
    }
    for (std::uint64_t k : keys) buffer[count[(k >> (p * kDigitBits)) & (kBuckets - 1)]++] = k;
    keys.swap(buffer);
  }
}

}  // namespace cairn::ml::detail
