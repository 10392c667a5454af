// Report: the page around the plots, tables, escaping and the atomic save.
#include <tapegrad/train/report/report.hpp>

#include <fmt/format.h>

#include <tapegrad/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

namespace tg::train::report {

namespace {

constexpr const char* page_style = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;max-width:760px;margin:2em auto;padding:0 1em;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}
h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
figure{margin:1em 0}
svg{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}
caption{text-align:left;font-weight:bold;padding-bottom:.3em}
th,td{padding:.25em .7em;border-bottom:1px solid #e4e4e4;text-align:left}
th{border-bottom:2px solid #999}
td.number{text-align:right;font-variant-numeric:tabular-nums}
)";

// A cell that reads as a number is right-aligned, so digits line up.
bool looks_numeric(const std::string& cell) {
  if (cell.empty()) return false;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  return end != cell.c_str() && (*end == '\0' || *end == '%' || *end == 'x' || *end == 's');
}

}  // namespace

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Report::Report(std::string title) : title_(std::move(title)) {}

void Report::heading(const std::string& text) { body_ += "<h2>" + escape_html(text) + "</h2>\n"; }

void Report::paragraph(const std::string& text) { body_ += "<p>" + escape_html(text) + "</p>\n"; }

void Report::add(const LinePlot& plot) { add_figure(svg(plot)); }
void Report::add(const ScatterPlot& plot) { add_figure(svg(plot)); }
void Report::add(const ContourPlot& plot) { add_figure(svg(plot)); }
void Report::add(const HistogramPlot& plot) { add_figure(svg(plot)); }
void Report::add(const ImageGrid& grid) { add_figure(svg(grid)); }

void Report::add_svg(const std::string& svg_element) {
  const std::size_t first = svg_element.find_first_not_of(" \t\r\n");
  const std::size_t last = svg_element.find_last_not_of(" \t\r\n");
  const std::string_view element =
      first == std::string::npos ? std::string_view{} : std::string_view(svg_element).substr(first, last - first + 1);
  TG_CHECK(element.starts_with("<svg") && element.ends_with("</svg>") &&
               element.find("<svg", 4) == std::string_view::npos,
           "Report::add_svg: expected one <svg ...>...</svg> element, got {} characters starting with '{}'",
           svg_element.size(), std::string(element.substr(0, 20)));
  add_figure(std::string(element) + "\n");
}

void Report::add_html(const std::string& fragment) { body_ += fragment + "\n"; }

void Report::add_figure(const std::string& svg_element) {
  body_ += "<figure>\n" + svg_element + "</figure>\n";
  ++plots_;
}

void Report::add(const Table& table) {
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    TG_CHECK(table.header.empty() || table.rows[r].size() == table.header.size(),
             "Table '{}': row {} has {} cells, the header has {}", table.title, r, table.rows[r].size(),
             table.header.size());
  std::string html = "<table>\n";
  if (!table.title.empty()) html += "<caption>" + escape_html(table.title) + "</caption>\n";
  if (!table.header.empty()) {
    html += "<thead><tr>";
    for (const std::string& cell : table.header) html += "<th>" + escape_html(cell) + "</th>";
    html += "</tr></thead>\n";
  }
  html += "<tbody>\n";
  for (const auto& row : table.rows) {
    html += "<tr>";
    for (const std::string& cell : row)
      html += (looks_numeric(cell) ? "<td class=\"number\">" : "<td>") + escape_html(cell) + "</td>";
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
  body_ += html;
}

std::string Report::html() const {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{0}</title>\n<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n{2}</body>\n</html>\n",
      escape_html(title_), page_style, body_);
}

void Report::save(const std::string& path) const {
  // Written next to the target and renamed over it: a reader never sees half a page.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    TG_CHECK(out.is_open(), "report: cannot write '{}': cannot create '{}' ({}); does the folder exist?", path,
             temporary, std::strerror(errno));
    const std::string page = html();
    out.write(page.data(), static_cast<std::streamsize>(page.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      fail("report: cannot write '{}': writing '{}' failed", path, temporary);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    fail("report: cannot write '{}': renaming '{}' failed ({})", path, temporary, error.message());
  }
}

}  // namespace tg::train::report
