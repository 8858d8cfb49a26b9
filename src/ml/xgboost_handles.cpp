// XGBoost 1.7 frees a booster through per-thread state (dmlc::ThreadLocalStore) that C++ destroys
// when the thread ends — on the main thread, before any static object is destroyed. A model kept
// in a static variable (a serving cache, a test fixture) would then crash the process on its way
// out. A thread-local marker tells when that point has passed; boosters released after it are
// left to the operating system (kept reachable, so LeakSanitizer does not count them).

#include "ml/xgboost_handles.hpp"

#include <mutex>
#include <vector>

namespace cairn::ml::xgb {

namespace {

thread_local bool t_thread_locals_destroyed = false;

struct ThreadExitMarker {
  ~ThreadExitMarker() { t_thread_locals_destroyed = true; }
};
thread_local ThreadExitMarker t_exit_marker;

// Constructs the main thread's marker during static initialization, before XGBoost creates its
// thread-local state, so the marker is destroyed after that state.
const bool kMainThreadMarked = [] {
  static_cast<void>(&t_exit_marker);
  return true;
}();

}  // namespace

void BoosterFree::operator()(void* handle) const {
  if (t_thread_locals_destroyed) {
    static std::mutex mutex;
    static auto* released_at_exit = new std::vector<void*>();  // guarded by mutex
    std::lock_guard lock(mutex);
    released_at_exit->push_back(handle);
    return;
  }
  XGBoosterFree(handle);
}

}  // namespace cairn::ml::xgb
