#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cairn/ml/table.hpp"
#include "ml/table_keys.hpp"

namespace cairn::ml {

namespace {

std::string_view op_name(Aggregate op) {
  switch (op) {
    case Aggregate::kCount:
      return "count";
    case Aggregate::kSum:
      return "sum";
    case Aggregate::kMean:
      return "mean";
    case Aggregate::kMin:
      return "min";
    case Aggregate::kMax:
      return "max";
    case Aggregate::kStd:
      return "std";
  }
  return "";
}

bool is_arithmetic(DataType t) {
  return t == DataType::kInt64 || t == DataType::kFloat64 || t == DataType::kBool;
}

// Calls f(row, value) for each present (non-null, non-NaN) cell of a numeric column, with one
// loop per type instead of a type switch per cell.
template <typename F>
void for_each_present(const Column& c, F&& f) {
  const auto& validity = c.validity();
  auto present = [&](std::size_t r) { return validity.empty() || validity[r] != 0; };
  switch (c.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp: {
      auto v = c.int64_values();
      for (std::size_t r = 0; r < v.size(); ++r) {
        if (present(r)) f(r, static_cast<double>(v[r]));
      }
      break;
    }
    case DataType::kFloat64: {
      auto v = c.float64_values();
      for (std::size_t r = 0; r < v.size(); ++r) {
        if (present(r) && !std::isnan(v[r])) f(r, v[r]);
      }
      break;
    }
    case DataType::kBool: {
      auto v = c.bool_values();
      for (std::size_t r = 0; r < v.size(); ++r) {
        if (present(r)) f(r, static_cast<double>(v[r]));
      }
      break;
    }
    case DataType::kString:
      break;
  }
}

Column count(const Column& c, const std::vector<std::size_t>& ids, std::size_t groups) {
  std::vector<std::int64_t> counts(groups, 0);
  detail::KeyColumn key(c);
  for (std::size_t r = 0; r < ids.size(); ++r) {
    if (!key.is_missing(r)) ++counts[ids[r]];
  }
  return Column::from_int64(std::move(counts));
}

Column sum(const Column& c, const std::vector<std::size_t>& ids, std::size_t groups) {
  if (c.type() == DataType::kFloat64) {
    std::vector<double> sums(groups, 0.0);
    for_each_present(c, [&](std::size_t r, double v) { sums[ids[r]] += v; });
    return Column::from_float64(std::move(sums));
  }
  // Integers sum exactly; unsigned arithmetic wraps on overflow like pandas' int64 instead of
  // being undefined behaviour.
  std::vector<std::uint64_t> sums(groups, 0);
  const auto& validity = c.validity();
  auto add = [&](auto values) {
    for (std::size_t r = 0; r < values.size(); ++r) {
      if (validity.empty() || validity[r] != 0) {
        sums[ids[r]] += static_cast<std::uint64_t>(values[r]);
      }
    }
  };
  if (c.type() == DataType::kBool) {
    add(c.bool_values());
  } else {
    add(c.int64_values());
  }
  std::vector<std::int64_t> out(sums.begin(), sums.end());
  return Column::from_int64(std::move(out));
}

// Mean as sum / count (what pandas computes); the sample standard deviation (ddof = 1, pandas'
// default) by Welford's update, which stays accurate when the mean is large against the spread.
Column mean_or_std(const Column& c, Aggregate op, const std::vector<std::size_t>& ids,
                   std::size_t groups) {
  std::vector<std::size_t> n(groups, 0);
  std::vector<double> out(groups, 0.0);
  std::vector<std::uint8_t> validity(groups, 1);
  if (op == Aggregate::kMean) {
    for_each_present(c, [&](std::size_t r, double v) {
      ++n[ids[r]];
      out[ids[r]] += v;
    });
    for (std::size_t g = 0; g < groups; ++g) {
      if (n[g] == 0) {
        validity[g] = 0;
      } else {
        out[g] /= static_cast<double>(n[g]);
      }
    }
  } else {
    std::vector<double> mean(groups, 0.0);
    for_each_present(c, [&](std::size_t r, double v) {
      std::size_t g = ids[r];
      ++n[g];
      double delta = v - mean[g];
      mean[g] += delta / static_cast<double>(n[g]);
      out[g] += delta * (v - mean[g]);
    });
    for (std::size_t g = 0; g < groups; ++g) {
      if (n[g] < 2) {
        validity[g] = 0;
        out[g] = 0.0;
      } else {
        out[g] = std::sqrt(out[g] / static_cast<double>(n[g] - 1));
      }
    }
  }
  bool any_null = false;
  for (auto v : validity) any_null = any_null || v == 0;
  if (!any_null) validity.clear();
  return detail::float64_column(std::move(out), std::move(validity));
}

// Min and max pick a row per group and gather it, so the result keeps the column's type
// (strings compare bytewise); the first of equal values wins.
Column extreme(const Column& c, Aggregate op, const std::vector<std::size_t>& ids,
               std::size_t groups) {
  std::vector<std::size_t> best(groups, detail::kNoRow);
  detail::KeyColumn key(c);
  int sign = op == Aggregate::kMin ? -1 : 1;
  for (std::size_t r = 0; r < ids.size(); ++r) {
    if (key.is_missing(r)) continue;
    std::size_t& b = best[ids[r]];
    if (b == detail::kNoRow || key.compare(r, b) * sign > 0) b = r;
  }
  return detail::take_or_null(c, best);
}

}  // namespace

Table Table::group_by(const std::vector<std::string>& keys,
                      const std::vector<Aggregation>& aggregations) const {
  std::vector<std::size_t> key_columns = detail::column_indices(*this, keys);
  std::vector<std::size_t> agg_columns;
  for (const auto& a : aggregations) {
    std::size_t index = column_index(a.column);
    DataType type = columns_[index].type();
    bool needs_arithmetic =
        a.op == Aggregate::kSum || a.op == Aggregate::kMean || a.op == Aggregate::kStd;
    if (needs_arithmetic && !is_arithmetic(type)) {
      throw TableError("group_by(): cannot compute the " + std::string(op_name(a.op)) +
                       " of column '" + a.column + "', which is " + std::string(to_string(type)) +
                       "; sum, mean and std need an int64, float64 or bool column (count, min "
                       "and max work on any column)");
    }
    agg_columns.push_back(index);
  }

  detail::RowKeys row_keys(*this, key_columns);
  detail::KeyGroups groups(row_keys);
  const auto& ids = groups.group_ids();
  std::size_t n = groups.num_groups();

  Table out;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    out.add_column(keys[k], columns_[key_columns[k]].take(groups.first_rows()));
  }
  for (std::size_t i = 0; i < aggregations.size(); ++i) {
    const Aggregation& a = aggregations[i];
    const Column& c = columns_[agg_columns[i]];
    Column result;
    switch (a.op) {
      case Aggregate::kCount:
        result = count(c, ids, n);
        break;
      case Aggregate::kSum:
        result = sum(c, ids, n);
        break;
      case Aggregate::kMean:
      case Aggregate::kStd:
        result = mean_or_std(c, a.op, ids, n);
        break;
      case Aggregate::kMin:
      case Aggregate::kMax:
        result = extreme(c, a.op, ids, n);
        break;
    }
    std::string name = a.name.empty() ? a.column + "_" + std::string(op_name(a.op)) : a.name;
    out.add_column(std::move(name), std::move(result));
  }
  return out;
}

}  // namespace cairn::ml
