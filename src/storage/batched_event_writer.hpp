#pragma once
// The event log writer: the engine's threads hand events to emit(), one background thread
// commits them in batches and then tells the observers (docs/storage.md, "Durability").
//
// Design: message passing into one owner thread (CONVENTIONS.md, "Concurrency"). emit() only
// appends to a queue under a mutex, so a step thread never waits for the disk; the writer swaps
// out everything queued at once and commits it in transactions of up to kMaxBatch events, so a
// burst of thousands of events costs one commit. Order is preserved: the queue is FIFO and one
// thread commits it, so ids increase in emission order (per emitting thread, and globally in the
// order emit() calls took the mutex).
// Rejected: a transaction per emit() — a few thousand commits per second at best, and the
// caller would block on I/O; a lock-free queue — the mutex is held for a push or a swap only.

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/event_sink.hpp"
#include "core/storage.hpp"

namespace cairn {

/// An EventSink that commits events to a Storage from a background thread.
///
/// Thread safety: emit() and flush() may be called from any thread. Observers are called on the
/// writer thread, one batch at a time, in commit order, after the batch is committed (its ids are
/// set); an observer may call emit() but must not call flush() (it would wait for itself).
///
/// Errors: if a commit (or an observer) throws, the writer stops: the failed batch and every
/// event queued after it are not recorded, and the next emit() or flush() — and every one after
/// it — throws StorageError with the cause. An error no caller was told about by the time the
/// writer is destroyed is printed to stderr, since a destructor cannot throw.
///
/// Ownership: `storage` must outlive the writer.
///
/// @code
///   cairn::BatchedEventWriter writer(storage, {[&](std::span<const cairn::Event> batch) {
///     progress.update(batch);
///   }});
///   writer.emit(step_start);  // returns at once
///   writer.flush();           // step_start is committed and the progress display has seen it
/// @endcode
class BatchedEventWriter final : public EventSink {
 public:
  /// The most events committed in one transaction; bounds the memory of a batch and the time the
  /// database write lock is held.
  static constexpr std::size_t kMaxBatch = 10'000;
  /// Back-pressure: emit() waits while this many events are queued and not yet taken by the
  /// writer, so a run whose steps produce events faster than the disk takes them holds a bounded
  /// number in memory (about twice this) instead of all of them.
  static constexpr std::size_t kMaxQueued = 50'000;

  explicit BatchedEventWriter(Storage& storage, std::vector<EventObserver> observers = {});
  /// Commits everything emitted, then stops the writer thread.
  ~BatchedEventWriter() override;
  BatchedEventWriter(const BatchedEventWriter&) = delete;
  BatchedEventWriter& operator=(const BatchedEventWriter&) = delete;

  /// Queues `event`; never waits for I/O, only for room in the queue (kMaxQueued; never when
  /// called by an observer). Throws StorageError if the writer has stopped on an error.
  void emit(Event event) override;
  /// Blocks until every event emitted before the call is committed and the observers have seen
  /// it. Throws StorageError if the writer has stopped on an error.
  void flush() override;

 private:
  /// The writer thread's loop.
  void run();
  /// Appends `batch` and tells the observers; on failure records error_ and returns false.
  /// Called by the writer thread without mutex_.
  bool commit(std::vector<Event>& batch);
  /// Throws the stored error, if any. Requires mutex_.
  void throw_if_failed();

  Storage& storage_;
  const std::vector<EventObserver> observers_;  // only the writer thread calls them

  std::mutex mutex_;                         // guards every member below except thread_
  std::condition_variable work_ready_;       // the writer waits for events or stopping_
  std::condition_variable batch_committed_;  // flush() waits for committed_count_
  std::condition_variable space_available_;  // emit() waits for room in queue_
  std::vector<Event> queue_;                 // emitted, not yet taken by the writer, in emit order
  std::uint64_t emitted_count_ = 0;          // events ever emitted
  std::uint64_t committed_count_ = 0;        // events ever committed and observed
  std::exception_ptr error_;                 // why the writer stopped (a StorageError)
  bool error_reported_ = false;              // error_ was thrown to a caller
  bool stopping_ = false;                    // set by the destructor

  std::thread thread_;  // started last, after every member it reads is initialized
};

}  // namespace cairn
