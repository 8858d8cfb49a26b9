#pragma once
/// @file check.hpp
/// Asset checks: data-quality tests attached to an asset, run on its value right after it is
/// stored (docs/checks.md).
///
/// @code
///   auto loans = cairn::asset<Table>("credit/loans")
///       .check("no_null_ids", [](cairn::Context&, const Table& t) {
///             auto nulls = t.column("id").null_count();
///             return cairn::CheckResult{.passed = nulls == 0,
///                                       .description = std::to_string(nulls) + " null ids",
///                                       .metadata = {{"null_ids", std::int64_t(nulls)}}};
///           }, cairn::blocking)
///       .compute(...);
/// @endcode
/// A blocking check whose result is a failure of severity error fails the asset's step: the
/// value stays stored (so it can be inspected), and every step downstream of it in the run is
/// skipped, naming the check. A failed check of severity warn, or a non-blocking check, is
/// recorded and shown, and stops nothing.

#include <functional>
#include <string>

#include "cairn/codec.hpp"
#include "cairn/context.hpp"
#include "cairn/metadata.hpp"

namespace cairn {

enum class CheckSeverity { kWarn, kError };

/// What a check function returns.
struct CheckResult {
  bool passed = false;
  /// How bad a failure is; only an error stops a blocking check's downstream.
  CheckSeverity severity = CheckSeverity::kError;
  std::string description{};
  Metadata metadata{};
};

/// Marks a check as blocking: `.check(name, fn, cairn::blocking)`.
struct Blocking {};
inline constexpr Blocking blocking{};

/// The type-erased definition of one check, as the engine sees it.
struct CheckDefinition {
  std::string name{};  ///< unique per asset; [A-Za-z0-9_-]+
  bool blocking = false;
  /// Called with the asset's value (an AnyValue of the asset's type). A check that throws is
  /// recorded as failed with severity error and the exception's message.
  std::function<CheckResult(Context&, const AnyValue&)> evaluate{};
};

}  // namespace cairn
