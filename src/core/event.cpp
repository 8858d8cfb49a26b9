#include "core/event.hpp"

#include <array>
#include <utility>

namespace cairn {

namespace {
constexpr std::array<std::pair<EventType, std::string_view>, 14> kEventNames{{
    {EventType::kRunStarting, "RUN_STARTING"},
    {EventType::kRunStart, "RUN_START"},
    {EventType::kRunSuccess, "RUN_SUCCESS"},
    {EventType::kRunFailure, "RUN_FAILURE"},
    {EventType::kRunCanceling, "RUN_CANCELING"},
    {EventType::kRunCanceled, "RUN_CANCELED"},
    {EventType::kStepStart, "STEP_START"},
    {EventType::kStepSuccess, "STEP_SUCCESS"},
    {EventType::kStepFailure, "STEP_FAILURE"},
    {EventType::kStepRetry, "STEP_RETRY"},
    {EventType::kStepSkipped, "STEP_SKIPPED"},
    {EventType::kStepInputLoaded, "STEP_INPUT_LOADED"},
    {EventType::kAssetMaterialization, "ASSET_MATERIALIZATION"},
    {EventType::kLog, "LOG"},
}};

constexpr std::array<std::pair<LogLevel, std::string_view>, 4> kLevelNames{{
    {LogLevel::kDebug, "DEBUG"},
    {LogLevel::kInfo, "INFO"},
    {LogLevel::kWarning, "WARNING"},
    {LogLevel::kError, "ERROR"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "UNKNOWN";
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}
}  // namespace

std::string_view to_string(EventType type) {
  return name_of(kEventNames, type);
}
std::optional<EventType> event_type_from_string(std::string_view text) {
  return value_of(kEventNames, text);
}
std::string_view to_string(LogLevel level) {
  return name_of(kLevelNames, level);
}
std::optional<LogLevel> log_level_from_string(std::string_view text) {
  return value_of(kLevelNames, text);
}

bool is_step_terminal(EventType type) {
  return type == EventType::kStepSuccess || type == EventType::kStepFailure ||
         type == EventType::kStepSkipped;
}

}  // namespace cairn
