#include "core/event.hpp"

#include "core/enum_names.hpp"

namespace cairn {

namespace {
constexpr EnumNames<EventType, 17> kEventNames{{
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
    {EventType::kAssetObservation, "ASSET_OBSERVATION"},
    {EventType::kAssetCheckEvaluation, "ASSET_CHECK_EVALUATION"},
    {EventType::kDynamicPartitionsAdded, "DYNAMIC_PARTITIONS_ADDED"},
}};

constexpr EnumNames<LogLevel, 4> kLevelNames{{
    {LogLevel::kDebug, "DEBUG"},
    {LogLevel::kInfo, "INFO"},
    {LogLevel::kWarning, "WARNING"},
    {LogLevel::kError, "ERROR"},
}};
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
