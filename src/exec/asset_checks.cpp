#include "exec/asset_checks.hpp"

#include "exec/materialization_payload.hpp"

namespace cairn {

std::string evaluate_checks(const AssetDefinition& def, Context& ctx, const AnyValue& value,
                            const CheckEventFn& record) {
  std::string blocking_failures;
  for (const CheckDefinition& check : def.checks) {
    CheckResult result;
    try {
      result = check.evaluate(ctx, value);
    } catch (const std::exception& e) {
      result = CheckResult{.passed = false,
                           .severity = CheckSeverity::kError,
                           .description = std::string("the check threw: ") + e.what()};
    }
    const bool blocks =
        check.blocking && !result.passed && result.severity == CheckSeverity::kError;
    const LogLevel level = result.passed ? LogLevel::kInfo
                           : blocks      ? LogLevel::kError
                                         : LogLevel::kWarning;
    record("check '" + check.name + "' " + (result.passed ? "passed" : "failed") +
               (result.description.empty() ? "" : ": " + result.description),
           check_evaluation_payload(check.name, check.blocking, result), level);
    if (blocks) blocking_failures += (blocking_failures.empty() ? "'" : ", '") + check.name + "'";
  }
  return blocking_failures;
}

}  // namespace cairn
