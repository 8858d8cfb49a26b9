#pragma once
/// @file retry_policy.hpp

#include <chrono>

namespace cairn {

enum class Backoff { kConstant, kLinear, kExponential };

/// How a failing step is retried. The delay before attempt n+1 (n = 1, 2, ...) is
/// `delay` (constant), `delay * n` (linear) or `delay * 2^(n-1)` (exponential), capped at
/// `max_delay`; with `jitter` > 0, a uniformly random fraction of up to `jitter` of that delay is
/// added, so that many retrying steps do not hit a shared service at the same instant.
///
/// Default: one attempt, no retry.
/// @code
///   cairn::RetryPolicy{.max_attempts = 4, .delay = std::chrono::seconds(2),
///                      .backoff = cairn::Backoff::kExponential, .jitter = 0.25}
/// @endcode
struct RetryPolicy {
  int max_attempts = 1;
  std::chrono::milliseconds delay{0};
  Backoff backoff = Backoff::kConstant;
  double jitter = 0.0;
  std::chrono::milliseconds max_delay{std::chrono::hours(1)};
};

}  // namespace cairn
