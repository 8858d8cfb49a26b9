#include <gtest/gtest.h>

#include "cairn/ml/table.hpp"

namespace cairn::ml {
namespace {

Table loans() {
  Table t;
  t.add_column("funded_amnt", Column::from_int64({1000, 2500, 400}));
  t.add_column("int_rate", Column::from_float64({0.12, 0.07, 0.2}));
  t.add_column("Class", Column::from_strings({"good", "bad", "good"}));
  return t;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const TableError& e) {
    return e.what();
  }
  return "";
}

TEST(Table, AddColumnChecksNamesAndLengths) {
  Table t = loans();
  EXPECT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.num_columns(), 3u);
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"funded_amnt", "int_rate", "Class"}));
  EXPECT_NE(error_of([&] {
              t.add_column("Class", Column::from_int64({1, 2, 3}));
            }).find("already has a column 'Class'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { t.add_column("short", Column::from_int64({1})); }).find("1 rows"),
            std::string::npos);
  t.set_column("Class", Column::from_int64({1, 0, 1}));
  EXPECT_EQ(t.column("Class").type(), DataType::kInt64);
  EXPECT_THROW(t.set_column("Class", Column::from_int64({1})), TableError);
}

TEST(Table, UnknownColumnSuggestsCloseNames) {
  Table t = loans();
  std::string message = error_of([&] { t.column("int_rat"); });
  EXPECT_NE(message.find("unknown column 'int_rat'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'int_rate'"), std::string::npos) << message;
  EXPECT_EQ(t.find_column("Class"), 2u);
  EXPECT_FALSE(t.find_column("class").has_value());
  EXPECT_TRUE(t.has_column("int_rate"));
}

TEST(Table, SelectDropRename) {
  Table t = loans();
  Table s = t.select({"Class", "funded_amnt"});
  EXPECT_EQ(s.column_names(), (std::vector<std::string>{"Class", "funded_amnt"}));
  EXPECT_EQ(s.column("funded_amnt"), t.column("funded_amnt"));
  EXPECT_THROW(t.select({"nope"}), TableError);

  Table d = t.drop({"int_rate"});
  EXPECT_EQ(d.column_names(), (std::vector<std::string>{"funded_amnt", "Class"}));
  EXPECT_EQ(d.num_rows(), 3u);
  EXPECT_THROW(t.drop({"nope"}), TableError);

  Table r = t.rename("Class", "label");
  EXPECT_TRUE(r.has_column("label"));
  EXPECT_FALSE(r.has_column("Class"));
  EXPECT_THROW(t.rename("Class", "int_rate"), TableError);
  EXPECT_THROW(t.rename("missing", "x"), TableError);
  EXPECT_EQ(t.rename("Class", "Class"), t);
}

TEST(Table, TakeAndHead) {
  Table t = loans();
  std::vector<std::size_t> rows{2, 0};
  Table taken = t.take(rows);
  EXPECT_EQ(taken.num_rows(), 2u);
  EXPECT_EQ(taken.column("funded_amnt").int64_values()[0], 400);
  EXPECT_EQ(taken.column("Class").string_at(1), "good");
  std::vector<std::size_t> bad{3};
  EXPECT_THROW(t.take(bad), TableError);

  EXPECT_EQ(t.head(2).num_rows(), 2u);
  EXPECT_EQ(t.head(10), t);
  EXPECT_EQ(t.head(0).num_columns(), 3u);
}

TEST(Table, EqualityLooksAtNamesAndValues) {
  EXPECT_EQ(loans(), loans());
  EXPECT_FALSE(loans() == loans().rename("Class", "label"));
  Table changed = loans();
  changed.set_column("int_rate", Column::from_float64({0.12, 0.07, 0.21}));
  EXPECT_FALSE(loans() == changed);
}

TEST(Row, ReadsCellsByNameAndIndex) {
  Table t = loans();
  t.add_column("note", [] {
    Column c(DataType::kString);
    c.append_string("x");
    c.append_null();
    c.append_string("z");
    return c;
  }());
  Row row(t, 1);
  EXPECT_EQ(row.index(), 1u);
  EXPECT_EQ(row.number("funded_amnt"), 2500.0);
  EXPECT_EQ(row.number(std::size_t{1}), 0.07);
  EXPECT_EQ(row.text("Class"), "bad");
  EXPECT_EQ(row.text(std::size_t{2}), "bad");
  EXPECT_TRUE(row.is_null("note"));
  EXPECT_EQ(row.text("note"), "");
  EXPECT_FALSE(row.is_null("Class"));
  EXPECT_THROW(row.text("funded_amnt"), TableError);
  EXPECT_THROW(row.number("Class"), TableError);
  EXPECT_THROW(row.number("missing"), TableError);
}

}  // namespace
}  // namespace cairn::ml
