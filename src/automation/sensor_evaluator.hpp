#pragma once
// One evaluation of a sensor (docs/automation.md, "Sensors"): runs its function with a
// SensorContext, validates what it asks for, and fills the tick to commit.
//
// The stored cursor of an asset or run-status sensor also holds the id of the last event the
// sensor has seen, as JSON {"after_event_id": N, "cursor": "<the sensor's own cursor>"}; the
// sensor function only ever sees its own cursor. A custom sensor's stored cursor is its own
// cursor, unchanged. The event position advances only when the tick succeeds or skips, so events
// seen by a failed tick are seen again by the next one.

#include <string>

#include "cairn/automation.hpp"
#include "core/clock.hpp"
#include "core/storage.hpp"
#include "graph/asset_graph.hpp"

namespace cairn {

/// Throws ScheduleError if the sensor cannot be evaluated: no name, no function, an asset
/// sensor without assets or watching an asset not in the graph, a run-status sensor with a
/// status other than SUCCESS, FAILURE, CANCELED, or a default job not in Definitions.
void validate_sensor(const Sensor& sensor, const AssetGraph& graph);

/// The sensor's own cursor inside a stored cursor (what ctx.cursor() returns).
std::string sensor_cursor_of(const Sensor& sensor, const std::string& stored_cursor);

/// Evaluates `sensor` at `now` with its stored cursor, and fills `commit`: tick status
/// (SUCCESS with runs, SKIPPED, or FAILURE), log, skip reason or error, the QUEUED runs, the new
/// stored cursor and the dynamic partitions to add. An exception thrown by the sensor, or a
/// request that does not validate, makes a FAILURE tick with no runs and the cursor unchanged;
/// nothing here throws for them. Storage errors propagate.
void evaluate_sensor(const Sensor& sensor, const AssetGraph& graph, Storage& storage,
                     const std::string& stored_cursor, TimePoint now, TickCommit& commit);

}  // namespace cairn
