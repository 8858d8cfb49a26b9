#pragma once
// Sorting doubles by their bits. The ranking metrics sort every score once; on 10 million
// scores an LSD radix sort on order-preserving 64-bit keys takes a fraction of std::sort's
// time (bench/metrics_bench.cpp measures both), and it needs no payload: the metrics sort the
// scores of positives and of negatives as two key arrays and merge them.

#include <cstdint>
#include <cstring>
#include <vector>

namespace cairn::ml::detail {

/// A key whose unsigned order is the order of `x`, with -0.0 equal to +0.0. `x` must not be
/// NaN.
inline std::uint64_t order_key(double x) {
  x += 0.0;  // -0.0 + 0.0 is +0.0: tied scores must get one key
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  return (bits & kSign) != 0 ? ~bits : bits | kSign;
}

/// Sorts ascending.
void radix_sort(std::vector<std::uint64_t>& keys);

}  // namespace cairn::ml::detail
