#pragma once
// Live progress of a run, as an observer of committed events: on a terminal one status line
// redrawn at most ten times a second (steps done / running / failed, elapsed); otherwise plain
// log lines, one per event, that a CI log or `tee` can keep.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>

#include "core/event.hpp"
#include "core/event_sink.hpp"

namespace cairn {

class ProgressDisplay {
 public:
  /// `total_steps` is the plan size; `live` selects the redrawn status line.
  ProgressDisplay(std::FILE* stream, std::size_t total_steps, bool live);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  /// An observer for BatchedEventWriter; the display must outlive the writer.
  EventObserver observer();
  /// Draws the final status line (live mode) and moves to a new line.
  void finish();

 private:
  void on_events(std::span<const Event> events);
  void draw_status();  // mutex_ held
  void tick();

  std::FILE* stream_;
  const std::size_t total_;
  const bool live_;
  const std::chrono::steady_clock::time_point started_;
  std::mutex mutex_;  // guards everything below and writes to stream_
  std::condition_variable wake_;
  std::size_t succeeded_ = 0;
  std::size_t failed_ = 0;
  std::size_t skipped_ = 0;
  std::size_t retries_ = 0;
  std::set<std::string> running_;
  bool finished_ = false;
  std::thread ticker_;  // live mode only; last member so it starts after the state exists
};

/// "2026-11-22 05:00:01.123" in local time.
std::string format_timestamp(double epoch_seconds);

/// One event as a log line: time, type, step, message.
std::string format_event_line(const Event& e);

}  // namespace cairn
