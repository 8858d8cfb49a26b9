// The names of tracking-run and model-version statuses, as stored and printed. In core because
// both the storage backends and the tracking library use them.

#include "cairn/model_registry.hpp"
#include "cairn/tracking.hpp"
#include "core/enum_names.hpp"

namespace cairn::tracking {

namespace {

constexpr EnumNames<TrackingRunStatus, 4> kRunStatusNames{{
    {TrackingRunStatus::kRunning, "RUNNING"},
    {TrackingRunStatus::kFinished, "FINISHED"},
    {TrackingRunStatus::kFailed, "FAILED"},
    {TrackingRunStatus::kKilled, "KILLED"},
}};

constexpr EnumNames<ModelVersionStatus, 2> kVersionStatusNames{{
    {ModelVersionStatus::kActive, "ACTIVE"},
    {ModelVersionStatus::kArchived, "ARCHIVED"},
}};

}  // namespace

std::string_view to_string(TrackingRunStatus status) {
  return name_of(kRunStatusNames, status);
}

std::optional<TrackingRunStatus> tracking_run_status_from_string(std::string_view text) {
  return value_of(kRunStatusNames, text);
}

std::string_view to_string(ModelVersionStatus status) {
  return name_of(kVersionStatusNames, status);
}

std::optional<ModelVersionStatus> model_version_status_from_string(std::string_view text) {
  return value_of(kVersionStatusNames, text);
}

}  // namespace cairn::tracking
