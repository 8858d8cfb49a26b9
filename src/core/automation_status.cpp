// The names of the automation enums (instigator kinds, tick, backfill and partition statuses), as
// stored and printed. In core because the storage backends, the daemon and the CLI use them.

#include "core/automation_store.hpp"
#include "core/enum_names.hpp"

namespace cairn {

namespace {

constexpr EnumNames<InstigatorKind, 4> kInstigatorKindNames{{
    {InstigatorKind::kSchedule, "SCHEDULE"},
    {InstigatorKind::kSensor, "SENSOR"},
    {InstigatorKind::kAutomation, "AUTOMATION"},
    {InstigatorKind::kBackfill, "BACKFILL"},
}};

constexpr EnumNames<TickStatus, 4> kTickStatusNames{{
    {TickStatus::kStarted, "STARTED"},
    {TickStatus::kSuccess, "SUCCESS"},
    {TickStatus::kSkipped, "SKIPPED"},
    {TickStatus::kFailure, "FAILURE"},
}};

constexpr EnumNames<BackfillStatus, 4> kBackfillStatusNames{{
    {BackfillStatus::kRequested, "REQUESTED"},
    {BackfillStatus::kCompleted, "COMPLETED"},
    {BackfillStatus::kFailed, "FAILED"},
    {BackfillStatus::kCanceled, "CANCELED"},
}};

constexpr EnumNames<PartitionRunStatus, 5> kPartitionRunStatusNames{{
    {PartitionRunStatus::kQueued, "QUEUED"},
    {PartitionRunStatus::kInProgress, "IN_PROGRESS"},
    {PartitionRunStatus::kSuccess, "SUCCESS"},
    {PartitionRunStatus::kFailure, "FAILURE"},
    {PartitionRunStatus::kCanceled, "CANCELED"},
}};

}  // namespace

std::string_view to_string(InstigatorKind kind) {
  return name_of(kInstigatorKindNames, kind);
}
std::optional<InstigatorKind> instigator_kind_from_string(std::string_view text) {
  return value_of(kInstigatorKindNames, text);
}
std::string_view to_string(TickStatus status) {
  return name_of(kTickStatusNames, status);
}
std::optional<TickStatus> tick_status_from_string(std::string_view text) {
  return value_of(kTickStatusNames, text);
}
std::string_view to_string(BackfillStatus status) {
  return name_of(kBackfillStatusNames, status);
}
std::optional<BackfillStatus> backfill_status_from_string(std::string_view text) {
  return value_of(kBackfillStatusNames, text);
}
std::string_view to_string(PartitionRunStatus status) {
  return name_of(kPartitionRunStatusNames, status);
}
std::optional<PartitionRunStatus> partition_run_status_from_string(std::string_view text) {
  return value_of(kPartitionRunStatusNames, text);
}

}  // namespace cairn
