#include "cairn/automation.hpp"

namespace cairn {

AutomationCondition eager() {
  return {.kind = AutomationCondition::Kind::kEager};
}

AutomationCondition on_missing() {
  return {.kind = AutomationCondition::Kind::kOnMissing};
}

AutomationCondition on_cron(std::string cron, std::string timezone) {
  return {.kind = AutomationCondition::Kind::kOnCron,
          .cron = std::move(cron),
          .timezone = std::move(timezone)};
}

Sensor asset_sensor(std::string name, std::vector<std::string> assets,
                    std::function<SensorResult(SensorContext&)> evaluate) {
  return {.name = std::move(name),
          .kind = Sensor::Kind::kAsset,
          .assets = std::move(assets),
          .evaluate = std::move(evaluate)};
}

Sensor run_status_sensor(std::string name, std::vector<std::string> statuses,
                         std::function<SensorResult(SensorContext&)> evaluate) {
  return {.name = std::move(name),
          .kind = Sensor::Kind::kRunStatus,
          .run_statuses = std::move(statuses),
          .evaluate = std::move(evaluate)};
}

}  // namespace cairn
