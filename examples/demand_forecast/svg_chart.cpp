#include "svg_chart.hpp"

#include <cairn/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace demand_forecast {

namespace {

constexpr double kLeft = 64, kRight = 16, kTop = 40, kBottom = 48, kLegendWidth = 110;

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

std::string default_label(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(lo <= hi) || count < 1) return {};
  if (lo == hi) return {lo};
  const double raw = (hi - lo) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::floor(lo / step) * step; t < hi + step * 0.5; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string render_svg(const LineChart& chart) {
  Range xs, ys;
  for (const auto& s : chart.series) {
    if (s.x.size() != s.y.size()) {
      throw cairn::Error("chart series '" + s.name + "' has " + std::to_string(s.x.size()) +
                         " x values but " + std::to_string(s.y.size()) + " y values");
    }
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        xs.add(s.x[i]);
        ys.add(s.y[i]);
      }
    }
  }
  if (xs.empty()) throw cairn::Error("chart '" + chart.title + "' has no finite point to draw");

  const std::vector<double> y_ticks = nice_ticks(std::min(ys.lo, 0.0), ys.hi, 5);
  const double y_lo = y_ticks.front(), y_hi = std::max(y_ticks.back(), y_lo + 1);
  const double x_lo = xs.lo, x_hi = xs.hi > xs.lo ? xs.hi : xs.lo + 1;
  const double w = chart.width, h = chart.height;
  auto px = [&](double x) { return kLeft + (x - x_lo) / (x_hi - x_lo) * (w - kLeft - kRight); };
  auto py = [&](double y) {
    return h - kBottom - (y - y_lo) / (y_hi - y_lo) * (h - kTop - kBottom);
  };
  const auto label = chart.x_label ? chart.x_label : default_label;

  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(chart.width) +
         "\" height=\"" + std::to_string(chart.height) + "\" viewBox=\"0 0 " +
         std::to_string(chart.width) + " " + std::to_string(chart.height) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + number(kLeft) + "\" y=\"22\" font-size=\"15\">" + xml_escape(chart.title) +
         "</text>\n";
  for (double t : y_ticks) {
    svg += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(py(t)) + "\" x2=\"" +
           number(w - kRight) + "\" y2=\"" + number(py(t)) + "\" stroke=\"#e0e0e0\"/>\n";
    svg += "<text x=\"" + number(kLeft - 6) + "\" y=\"" + number(py(t) + 4) +
           "\" text-anchor=\"end\">" + xml_escape(default_label(t)) + "</text>\n";
  }
  svg += "<text transform=\"translate(16 " + number(h / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + xml_escape(chart.y_label) + "</text>\n";
  for (double t : chart.x_ticks) {
    if (t < x_lo || t > x_hi) continue;
    svg += "<text x=\"" + number(px(t)) + "\" y=\"" + number(h - kBottom + 18) +
           "\" text-anchor=\"middle\">" + xml_escape(label(t)) + "</text>\n";
  }
  for (double m : chart.x_markers) {
    if (m < x_lo || m > x_hi) continue;
    svg += "<line x1=\"" + number(px(m)) + "\" y1=\"" + number(kTop) + "\" x2=\"" + number(px(m)) +
           "\" y2=\"" + number(h - kBottom) + "\" stroke=\"#999999\" stroke-dasharray=\"4 4\"/>\n";
  }
  svg += "<rect x=\"" + number(kLeft) + "\" y=\"" + number(kTop) + "\" width=\"" +
         number(w - kLeft - kRight) + "\" height=\"" + number(h - kTop - kBottom) +
         "\" fill=\"none\" stroke=\"#333333\"/>\n";

  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const auto& s = chart.series[k];
    std::string points;
    auto flush = [&] {
      if (!points.empty()) {
        svg += "<polyline fill=\"none\" stroke=\"" + xml_escape(s.color) +
               "\" stroke-width=\"1.2\" points=\"" + points + "\"/>\n";
      }
      points.clear();
    };
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        flush();
        continue;
      }
      points += (points.empty() ? "" : " ") + number(px(s.x[i])) + "," + number(py(s.y[i]));
    }
    flush();
    // The legend sits above the plot area, right-aligned, where it cannot hide a line.
    const double lx = w - kRight - kLegendWidth * static_cast<double>(chart.series.size() - k);
    const double ly = kTop - 8;
    svg += "<line x1=\"" + number(lx) + "\" y1=\"" + number(ly - 4) + "\" x2=\"" + number(lx + 20) +
           "\" y2=\"" + number(ly - 4) + "\" stroke=\"" + xml_escape(s.color) +
           "\" stroke-width=\"2\"/>\n";
    svg += "<text x=\"" + number(lx + 26) + "\" y=\"" + number(ly) + "\">" + xml_escape(s.name) +
           "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace demand_forecast
