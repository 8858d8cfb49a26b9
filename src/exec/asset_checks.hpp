#pragma once
// Evaluating an asset's checks on a value (docs/checks.md): shared by the run engine (after each
// materialization) and the `check` command (against the latest stored value).

#include <functional>
#include <string>

#include "cairn/asset.hpp"
#include "core/event.hpp"

namespace cairn {

/// Records one check result: (message, ASSET_CHECK_EVALUATION payload, level).
using CheckEventFn = std::function<void(std::string message, std::string payload, LogLevel)>;

/// Runs every check of `def` on `value` in declaration order and records each result through
/// `record`. A check that throws counts as failed with severity error. Returns the names of the
/// failed blocking checks of severity error, quoted and joined ("'a', 'b'"); empty if none.
std::string evaluate_checks(const AssetDefinition& def, Context& ctx, const AnyValue& value,
                            const CheckEventFn& record);

}  // namespace cairn
