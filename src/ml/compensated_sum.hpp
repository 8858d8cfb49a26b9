#pragma once
// A running sum that carries the rounding error of each addition (Neumaier's variant of Kahan
// summation). The metrics average millions of terms; a plain loop loses up to n·ε of relative
// accuracy there, while NumPy, which the tests use as an oracle, sums pairwise.

#include <cmath>

namespace cairn::ml::detail {

class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (std::abs(sum_) >= std::abs(x)) {
      compensation_ += (sum_ - t) + x;
    } else {
      compensation_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0.0;
  double compensation_ = 0.0;
};

}  // namespace cairn::ml::detail
