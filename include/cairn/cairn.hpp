#pragma once
/// @file cairn.hpp
/// The umbrella header a pipeline includes. Kept free of heavy third-party headers so that a
/// pipeline source file compiles quickly; `cairn/json.hpp` is opt-in.

#include "cairn/alerts.hpp"
#include "cairn/asset.hpp"
#include "cairn/cli.hpp"
#include "cairn/codec.hpp"
#include "cairn/config.hpp"
#include "cairn/context.hpp"
#include "cairn/definitions.hpp"
#include "cairn/error.hpp"
#include "cairn/io_manager.hpp"
#include "cairn/metadata.hpp"
#include "cairn/model_registry.hpp"
#include "cairn/resource.hpp"
#include "cairn/retry_policy.hpp"
#include "cairn/tracking.hpp"
