#pragma once
// Trivial compute functions for tests that need assets but not what they compute.

#include "cairn/context.hpp"

namespace cairn::testing {

inline int leaf(Context&) {
  return 1;
}
inline int pass(Context&, const int& x) {
  return x;
}
inline int sum(Context&, const int& x, const int& y) {
  return x + y;
}

}  // namespace cairn::testing
