#pragma once
/// @file ml.hpp
/// The ML toolkit in one include (link `cairn::cairn_ml`): tables and CSV, validation and
/// encoding, splits and metrics, XGBoost and linear models, and the shared model workflow
/// (docs/ml-workflow.md). Heavier than cairn/cairn.hpp; include the single headers you need in
/// files that are compiled often.

#include "cairn/ml/csv.hpp"
#include "cairn/ml/encoding.hpp"
#include "cairn/ml/linear_model.hpp"
#include "cairn/ml/matrix.hpp"
#include "cairn/ml/metrics.hpp"
#include "cairn/ml/model_workflow.hpp"
#include "cairn/ml/splits.hpp"
#include "cairn/ml/table.hpp"
#include "cairn/ml/table_codec.hpp"
#include "cairn/ml/validation.hpp"
#include "cairn/ml/xgboost_model.hpp"
