#pragma once
// An EventSink that keeps events in memory, for engine tests.

#include <algorithm>
#include <mutex>
#include <vector>

#include "core/event_sink.hpp"

namespace cairn::testing {

class RecordingSink final : public EventSink {
 public:
  void emit(Event event) override {
    std::lock_guard lock(mutex_);
    event.id = static_cast<std::int64_t>(events_.size()) + 1;
    events_.push_back(std::move(event));
  }
  void flush() override {}

  std::vector<Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<Event> of_type(EventType type, const std::string& step = "") const {
    std::vector<Event> out;
    for (const auto& e : events()) {
      if (e.type == type && (step.empty() || e.step_key == step)) out.push_back(e);
    }
    return out;
  }
  /// Position of the first event of `type` for `step`, or -1.
  int index_of(EventType type, const std::string& step) const {
    auto all = events();
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].type == type && all[i].step_key == step) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  mutable std::mutex mutex_;  // guards events_
  std::vector<Event> events_;
};

}  // namespace cairn::testing
