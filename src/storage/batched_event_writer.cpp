#include "storage/batched_event_writer.hpp"

#include <algorithm>
#include <iostream>
#include <iterator>

#include "cairn/error.hpp"

namespace cairn {

BatchedEventWriter::BatchedEventWriter(Storage& storage, std::vector<EventObserver> observers)
    : storage_(storage), observers_(std::move(observers)), thread_([this] { run(); }) {}

BatchedEventWriter::~BatchedEventWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_one();
  thread_.join();
  if (error_ && !error_reported_) {
    try {
      std::rethrow_exception(error_);
    } catch (const std::exception& e) {
      std::cerr << "cairn: " << e.what() << '\n';
    }
  }
}

void BatchedEventWriter::emit(Event event) {
  {
    std::unique_lock lock(mutex_);
    if (queue_.size() >= kMaxQueued && std::this_thread::get_id() != thread_.get_id()) {
      space_available_.wait(lock, [&] { return queue_.size() < kMaxQueued || error_; });
    }
    throw_if_failed();
    queue_.push_back(std::move(event));
    ++emitted_count_;
  }
  work_ready_.notify_one();
}

void BatchedEventWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = emitted_count_;
  batch_committed_.wait(lock, [&] { return committed_count_ >= target || error_; });
  throw_if_failed();
}

void BatchedEventWriter::throw_if_failed() {
  if (!error_) return;
  error_reported_ = true;
  std::rethrow_exception(error_);
}

void BatchedEventWriter::run() {
  std::vector<Event> taken;
  std::vector<Event> chunk;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything emitted is committed
      // Take the whole queue in O(1); emit() only ever waits for this swap. The two vectors
      // trade places each round, so their capacity is reused.
      taken.clear();
      taken.swap(queue_);
    }
    space_available_.notify_all();
    if (taken.size() <= kMaxBatch) {
      if (!commit(taken)) return;
      continue;
    }
    for (std::size_t begin = 0; begin < taken.size(); begin += kMaxBatch) {
      const std::size_t end = std::min(taken.size(), begin + kMaxBatch);
      chunk.assign(std::make_move_iterator(taken.begin() + static_cast<std::ptrdiff_t>(begin)),
                   std::make_move_iterator(taken.begin() + static_cast<std::ptrdiff_t>(end)));
      if (!commit(chunk)) return;
    }
  }
}

bool BatchedEventWriter::commit(std::vector<Event>& batch) {
  std::string failure;
  try {
    storage_.append_events(batch);
  } catch (const std::exception& e) {
    failure = "committing " + std::to_string(batch.size()) + " events failed: " + e.what();
  } catch (...) {
    failure = "committing " + std::to_string(batch.size()) + " events failed";
  }
  if (failure.empty()) {
    try {
      for (const EventObserver& observer : observers_) observer(batch);
    } catch (const std::exception& e) {
      failure = std::string("an event observer failed: ") + e.what();
    } catch (...) {
      failure = "an event observer threw an exception that is not a std::exception";
    }
  }

  std::lock_guard lock(mutex_);
  if (!failure.empty()) {
    error_ = std::make_exception_ptr(StorageError("the event writer stopped: " + failure +
                                                  "; events emitted since were not recorded"));
    queue_.clear();
    space_available_.notify_all();
  } else {
    committed_count_ += batch.size();
  }
  batch_committed_.notify_all();
  return failure.empty();
}

}  // namespace cairn
