#pragma once

#include <functional>
#include <span>

#include "core/event.hpp"

namespace cairn {

/// Where the engine sends events. The batched writer implements it over a Storage; tests use an
/// in-memory sink. emit() may be called from any thread and must not block on I/O.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(Event event) = 0;
  /// Blocks until every event emitted so far is durable (committed).
  virtual void flush() = 0;
};

/// Told about events after they are durable, in order, from one thread (ninja's Status,
/// Taskflow's observer). The CLI progress display and the UI's live view are observers.
using EventObserver = std::function<void(std::span<const Event>)>;

}  // namespace cairn
