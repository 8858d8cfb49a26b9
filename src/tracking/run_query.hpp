#pragma once
// The text forms of a tracking-run search (RunQuery::filter and ::order_by, documented in
// cairn/tracking.hpp) parsed into the structured conditions the store executes. Text is what
// people type on the command line and what pipelines write; the store never sees it, so every
// value reaches SQL as a bound parameter.

#include <string_view>
#include <vector>

#include "core/tracking_store.hpp"

namespace cairn::tracking {

/// "metrics.auc > 0.8 and params.max_depth = '6'" -> conditions. Empty text: none. Throws
/// TrackingError quoting the filter and saying what was expected where.
std::vector<RunCondition> parse_run_filter(std::string_view filter);

/// "metrics.auc desc" -> order. Empty text: start time, newest first. Throws TrackingError.
RunOrder parse_run_order(std::string_view order_by);

}  // namespace cairn::tracking
