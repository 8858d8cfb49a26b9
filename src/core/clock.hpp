#pragma once
// Time as a seam: the engine reads the time and waits through a Clock, so that retry delays and
// timeouts are tested on a FakeClock without sleeping (CONVENTIONS.md, "Seams for side effects").

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace cairn {

using TimePoint = std::chrono::system_clock::time_point;

inline double to_epoch_seconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() = 0;
  /// Waits on `cv` (whose mutex `lock` holds) until notified or until `deadline` passes on this
  /// clock. Spurious returns are allowed: callers re-check their condition.
  virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          TimePoint deadline) = 0;
};

/// The wall clock; waits are measured on the steady clock so that a wall-clock jump does not
/// stretch a retry delay.
class SystemClock final : public Clock {
 public:
  TimePoint now() override { return std::chrono::system_clock::now(); }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint deadline) override {
    if (deadline == TimePoint::max()) {
      cv.wait(lock);
      return;
    }
    auto remaining = deadline - now();
    if (remaining <= TimePoint::duration::zero()) return;
    cv.wait_for(lock, remaining);
  }
};

/// Simulated time that jumps: a wait with a deadline returns at once after moving the time to
/// that deadline, as if the wait had taken exactly that long; a wait without one
/// (TimePoint::max()) waits for a real notification. Deterministic, and no test sleeps.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'700'000'000)))
      : now_(start) {}
  TimePoint now() override {
    std::lock_guard guard(mutex_);
    return now_;
  }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint deadline) override {
    if (deadline == TimePoint::max()) {
      cv.wait(lock);
      return;
    }
    std::lock_guard guard(mutex_);
    if (deadline > now_) now_ = deadline;
  }

 private:
  std::mutex mutex_;  // guards now_
  TimePoint now_;
};

}  // namespace cairn
