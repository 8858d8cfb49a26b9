#include "exec/run_heartbeat.hpp"

#include <exception>
#include <iostream>

namespace cairn {

RunHeartbeat::RunHeartbeat(AutomationStore& store, std::string run_id, Clock& clock,
                           std::chrono::milliseconds interval)
    : store_(store), run_id_(std::move(run_id)), clock_(clock), interval_(interval) {
  store_.heartbeat(run_id_, to_epoch_seconds(clock_.now()));
  thread_ = std::thread([this] { beat_until_stopped(); });
}

RunHeartbeat::~RunHeartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RunHeartbeat::beat_until_stopped() {
  std::unique_lock lock(mutex_);
  TimePoint next = clock_.now() + interval_;
  for (;;) {
    while (!stopping_ && clock_.now() < next) clock_.wait_until(lock, wake_, next);
    if (stopping_) return;
    const TimePoint now = clock_.now();
    lock.unlock();
    try {
      store_.heartbeat(run_id_, to_epoch_seconds(now));
    } catch (const std::exception& e) {
      std::cerr << "warning: the heartbeat of run " << run_id_ << " failed: " << e.what()
                << "; retrying in " << interval_.count() << " ms\n";
    }
    lock.lock();
    next = now + interval_;
  }
}

}  // namespace cairn
