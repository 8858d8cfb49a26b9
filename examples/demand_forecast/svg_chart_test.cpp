#include "svg_chart.hpp"

#include <gtest/gtest.h>

#include <cairn/error.hpp>

#include <cmath>
#include <limits>
#include <regex>

namespace demand_forecast {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(NiceTicks, AreRoundAndCoverTheRange) {
  EXPECT_EQ(nice_ticks(0.3, 9.2, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0, 26.058, 5), (std::vector<double>{0, 10, 20, 30}));
  EXPECT_EQ(nice_ticks(-1, 1, 4), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  EXPECT_EQ(nice_ticks(3, 3, 5), (std::vector<double>{3}));
  EXPECT_TRUE(nice_ticks(2, 1, 5).empty());
}

TEST(XmlEscape, EscapesEverySpecialCharacter) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
}

TEST(RenderSvg, WritesAWellFormedDocumentWithOneLinePerUnbrokenRun) {
  LineChart chart;
  chart.title = "x < y & z";
  chart.y_label = "riders";
  const double nan = std::numeric_limits<double>::quiet_NaN();
  chart.series.push_back({"actual", "black", {0, 1, 2, 3, 4}, {1, 2, nan, 4, 5}});
  chart.series.push_back({"<model>", "#d62728", {0, 1, 2, 3, 4}, {1, 1, 1, 1, 1}});
  chart.x_ticks = {0, 2, 4};
  chart.x_label = [](double x) { return "d" + std::to_string(static_cast<int>(x)); };
  chart.x_markers = {2};
  const std::string svg = render_svg(chart);

  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\""));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_EQ(count(svg, "<svg "), 1u);
  EXPECT_EQ(count(svg, "<text"), count(svg, "</text>"));
  EXPECT_EQ(count(svg, "<polyline"), 3u) << "the NaN splits the first series in two";
  EXPECT_NE(svg.find("x &lt; y &amp; z"), std::string::npos);
  EXPECT_NE(svg.find("&lt;model&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<model>"), std::string::npos);
  EXPECT_NE(svg.find(">d2</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "stroke-dasharray"), 1u);
  // The first point of "actual" sits at the left edge of the plot area, the last at the right.
  EXPECT_NE(svg.find("points=\"64.00,"), std::string::npos);
  EXPECT_NE(svg.find(" 944.00,"), std::string::npos);
}

TEST(RenderSvg, RefusesAChartWithNothingToDrawOrMismatchedSeries) {
  LineChart empty;
  EXPECT_THROW(render_svg(empty), cairn::Error);
  LineChart bad;
  bad.series.push_back({"s", "black", {0, 1}, {1}});
  EXPECT_THROW(render_svg(bad), cairn::Error);
}

}  // namespace
}  // namespace demand_forecast
