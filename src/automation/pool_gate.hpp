#pragma once
// Concurrency pools (docs/run-queue.md, "Pools"): at most Definitions::pools[name] steps of the
// assets declared with `.pool(name)` run at once across every run of the instance. The slots
// live in the instance database (AutomationStore::try_claim_pool_slot), so the limit holds
// across processes; the engine asks the gate before starting a step of a pooled asset and
// retries later when the pool is full.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/definitions.hpp"
#include "core/automation_store.hpp"

namespace cairn {

/// The storage-backed implementation of EngineOptions::claim_pool_slot / release_pool_slot for
/// one run. Thread safety: claim() and release() may be called from any thread (the store
/// serializes). `store` must outlive the gate.
///
/// @code
///   PoolGate gate(storage.automation(), run.run_id, defs.pools);
///   options.claim_pool_slot = [&](std::string_view pool, std::string_view step) {
///     return gate.claim(pool, step);
///   };
///   options.release_pool_slot = [&](std::string_view pool, std::string_view step) {
///     gate.release(pool, step);
///   };
/// @endcode
class PoolGate {
 public:
  PoolGate(AutomationStore& store, std::string run_id, std::map<std::string, int> limits);

  /// Takes a slot of `pool` for the step; false when the pool is full (the engine retries).
  /// Throws DefinitionError for a pool missing from the limits: pool_definition_problems()
  /// reports that when the definitions are loaded.
  bool claim(std::string_view pool, std::string_view step_key);
  /// Gives the step's slot back.
  void release(std::string_view pool, std::string_view step_key);

 private:
  AutomationStore& store_;
  const std::string run_id_;
  const std::map<std::string, int, std::less<>> limits_;
};

/// What is wrong with the pools of `defs`, one message per problem, naming the asset or pool and
/// the fix: an asset using a pool missing from Definitions::pools, a pool with a limit below 1.
/// Empty when the pools are usable.
std::vector<std::string> pool_definition_problems(const Definitions& defs);

}  // namespace cairn
