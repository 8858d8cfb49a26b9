#include "core/run_record.hpp"

#include <array>
#include <utility>

namespace cairn {

namespace {
constexpr std::array<std::pair<RunStatus, std::string_view>, 6> kStatusNames{{
    {RunStatus::kQueued, "QUEUED"},
    {RunStatus::kStarting, "STARTING"},
    {RunStatus::kStarted, "STARTED"},
    {RunStatus::kSuccess, "SUCCESS"},
    {RunStatus::kFailure, "FAILURE"},
    {RunStatus::kCanceled, "CANCELED"},
}};
}  // namespace

std::string_view to_string(RunStatus status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) return name;
  }
  return "UNKNOWN";
}

std::optional<RunStatus> run_status_from_string(std::string_view text) {
  for (const auto& [s, name] : kStatusNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

}  // namespace cairn
