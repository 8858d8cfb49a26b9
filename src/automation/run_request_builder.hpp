#pragma once
// Turns the RunRequests of a schedule or sensor into the QUEUED RunRecords a tick commits,
// validating every request first: a tick launches all of its requests or none.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/automation.hpp"
#include "core/run_record.hpp"
#include "graph/asset_graph.hpp"

namespace cairn {

class Storage;

/// Who asked for the runs: the tag "cairn/schedule" or "cairn/sensor" names it.
struct RequestOrigin {
  std::string_view tag_key;      // "cairn/schedule" or "cairn/sensor"
  std::string_view name;         // the schedule or sensor
  std::string_view default_job;  // used by requests naming neither job nor selection
};

/// Validates each request and returns one QUEUED RunRecord per request, in order. A request's
/// run key is stored as "<origin name>:<run key>", so that keys are unique per instigator. Throws
/// ScheduleError naming the request (index and run key) and the problem if any request names an
/// unknown job, has an invalid selection, or a partition key none of its partitioned assets
/// has; `pending_dynamic` holds dynamic partition keys being added by the same tick.
std::vector<RunRecord> build_queued_runs(
    const std::vector<RunRequest>& requests, const RequestOrigin& origin, const AssetGraph& graph,
    Storage& storage, std::chrono::system_clock::time_point now,
    const std::map<std::string, std::vector<std::string>>& pending_dynamic = {});

}  // namespace cairn
