#include "cli/progress_display.hpp"

#include <ctime>

#include <fmt/format.h>

namespace cairn {

std::string format_timestamp(double epoch_seconds) {
  std::time_t seconds = static_cast<std::time_t>(epoch_seconds);
  int millis = static_cast<int>((epoch_seconds - static_cast<double>(seconds)) * 1000.0);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S", &local);
  return fmt::format("{}.{:03d}", buffer, millis);
}

std::string format_event_line(const Event& e) {
  std::string line = fmt::format("{}  {:<21}", format_timestamp(e.timestamp), to_string(e.type));
  if (e.type == EventType::kLog)
    line = fmt::format("{}  {:<21}", format_timestamp(e.timestamp),
                       fmt::format("LOG {}", to_string(e.level)));
  if (!e.step_key.empty()) line += "  " + e.step_key;
  if (!e.message.empty()) line += "  " + e.message;
  return line;
}

ProgressDisplay::ProgressDisplay(std::FILE* stream, std::size_t total_steps, bool live)
    : stream_(stream),
      total_(total_steps),
      live_(live),
      started_(std::chrono::steady_clock::now()) {
  if (live_) ticker_ = std::thread([this] { tick(); });
}

ProgressDisplay::~ProgressDisplay() {
  finish();
}

EventObserver ProgressDisplay::observer() {
  return [this](std::span<const Event> events) { on_events(events); };
}

void ProgressDisplay::on_events(std::span<const Event> events) {
  std::lock_guard lock(mutex_);
  for (const Event& e : events) {
    switch (e.type) {
      case EventType::kStepStart:
        running_.insert(e.step_key);
        break;
      case EventType::kStepSuccess:
        running_.erase(e.step_key);
        ++succeeded_;
        break;
      case EventType::kStepFailure:
        running_.erase(e.step_key);
        ++failed_;
        break;
      case EventType::kStepRetry:
        running_.erase(e.step_key);
        ++retries_;
        break;
      case EventType::kStepSkipped:
        ++skipped_;
        break;
      default:
        break;
    }
    if (!live_) {
      std::fputs((format_event_line(e) + "\n").c_str(), stream_);
    } else if (e.type == EventType::kStepFailure || e.type == EventType::kStepRetry ||
               (e.type == EventType::kLog && e.level >= LogLevel::kWarning)) {
      // Problems scroll above the status line, so they stay visible after it is redrawn.
      std::fputs(("\r\033[K" + format_event_line(e) + "\n").c_str(), stream_);
      draw_status();
    }
  }
  std::fflush(stream_);
}

void ProgressDisplay::tick() {
  std::unique_lock lock(mutex_);
  while (!finished_) {
    draw_status();
    wake_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void ProgressDisplay::draw_status() {
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string line = fmt::format("\r\033[K[{:6.1f}s] {}/{} done  {} running  {} failed  {} skipped",
                                 elapsed, succeeded_, total_, running_.size(), failed_, skipped_);
  if (retries_ > 0) line += fmt::format("  {} retries", retries_);
  if (!running_.empty()) {
    line += "  " + *running_.begin();
    if (running_.size() > 1) line += fmt::format(" (+{})", running_.size() - 1);
  }
  std::fputs(line.c_str(), stream_);
  std::fflush(stream_);
}

void ProgressDisplay::finish() {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    if (live_) {
      draw_status();
      std::fputs("\n", stream_);
      std::fflush(stream_);
    }
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace cairn
