#pragma once
// Owning handles for XGBoost's C API objects and the one way we check its return codes, so no
// handle leaks when a call fails or a callback throws, and every failure keeps XGBoost's message.

#include <xgboost/c_api.h>

#include <memory>
#include <string>
#include <string_view>

#include "cairn/ml/model_error.hpp"

namespace cairn::ml::xgb {

struct DMatrixFree {
  void operator()(void* handle) const { XGDMatrixFree(handle); }
};
/// Frees a booster, except on a thread whose thread-local variables are already destroyed
/// (static destructors at exit); see xgboost_handles.cpp.
struct BoosterFree {
  void operator()(void* handle) const;
};
using DMatrix = std::unique_ptr<void, DMatrixFree>;
using Booster = std::unique_ptr<void, BoosterFree>;

/// XGBoost's message for the last failed call on this thread, without the stack trace XGBoost
/// appends (it points into libxgboost, not at the caller's mistake).
inline std::string last_error() {
  std::string message = XGBGetLastError();
  if (auto trace = message.find("\nStack trace:"); trace != std::string::npos) {
    message.resize(trace);
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

/// Throws ModelError "<what>: XGBoost says: <message>" for the call that just failed.
[[noreturn]] inline void fail(std::string_view what) {
  throw ModelError(std::string(what) + ": XGBoost says: " + last_error());
}

/// fail(what) when `status` is not 0.
inline void check(int status, std::string_view what) {
  if (status != 0) fail(what);
}

}  // namespace cairn::ml::xgb
