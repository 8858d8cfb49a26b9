#include <nlohmann/json.hpp>

#include "cairn/alerts.hpp"

namespace cairn {

std::string alert_json(const RunInfo& run, std::string_view sensor_name) {
  nlohmann::json tags = nlohmann::json::object();
  for (const auto& [key, value] : run.tags) tags[key] = value;
  nlohmann::json alert{{"sensor", sensor_name},
                       {"run_id", run.run_id},
                       {"job", run.job_name},
                       {"status", run.status},
                       {"failure_reason", run.failure_reason},
                       {"tags", std::move(tags)},
                       {"ended_at", run.ended_at}};
  // Invalid UTF-8 in a failure reason (a step's raw stderr) is replaced, not fatal: the alert
  // matters more than the exact bytes.
  return alert.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cairn
