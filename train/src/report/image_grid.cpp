// ImageGrid: grayscale images as inline PNGs in a grid of tiles.
#include <fmt/format.h>

#include <tapegrad/error.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include "report/axis.hpp"
#include "report/plot_frame.hpp"
#include "report/png.hpp"
#include <tapegrad/train/report/report.hpp>
#include "report/svg_canvas.hpp"

namespace tg::train::report {

using namespace detail;

namespace {

constexpr double largest_tile = 56, smallest_tile = 12, tile_gap = 6, margin = 16;

void validate(const ImageGrid& grid) {
  TG_CHECK(grid.columns >= 1, "ImageGrid '{}': columns must be >= 1, got {}", grid.title, grid.columns);
  for (std::size_t k = 0; k < grid.images.size(); ++k) {
    const Image& image = grid.images[k];
    TG_CHECK(image.width >= 1 && image.height >= 1, "ImageGrid '{}': image {} is {}x{}; width and height must be >= 1",
             grid.title, k, image.width, image.height);
    TG_CHECK(image.pixels.size() == static_cast<std::size_t>(image.width * image.height),
             "ImageGrid '{}': image {} has {} pixels, expected width*height = {}*{} = {}", grid.title, k,
             image.pixels.size(), image.width, image.height, image.width * image.height);
  }
}

// The image scaled to its own [min, max] (a constant image is mid-gray; NaN is black).
std::vector<std::uint8_t> to_gray(const Image& image) {
  DataRange range;
  for (double v : image.pixels) range.add(v);
  std::vector<std::uint8_t> gray(image.pixels.size(), 0);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    const double v = image.pixels[i];
    if (!std::isfinite(v)) continue;
    const double t = range.max > range.min ? (v - range.min) / (range.max - range.min) : 0.5;
    gray[i] = static_cast<std::uint8_t>(std::lround(255 * t));
  }
  return gray;
}

}  // namespace

std::string svg(const ImageGrid& grid) {
  validate(grid);
  const std::size_t columns = static_cast<std::size_t>(grid.columns);
  const double tile = std::clamp(
      (plot_width - 2 * margin - tile_gap * static_cast<double>(columns - 1)) / static_cast<double>(columns),
      smallest_tile, largest_tile);
  // A wide grid keeps small tiles rather than a canvas wider than the page.
  const double width = std::max(plot_width, 2 * margin + static_cast<double>(columns) * (tile + tile_gap));
  SvgCanvas canvas(width, grid.title);
  const double title_bottom = canvas.title(grid.title, true);
  const std::size_t n = grid.images.size();
  const double grid_width = static_cast<double>(std::min(columns, std::max<std::size_t>(n, 1))) * (tile + tile_gap) - tile_gap;
  const double left = (width - grid_width) / 2, top = title_bottom + 18;
  for (std::size_t k = 0; k < n; ++k) {
    const Image& image = grid.images[k];
    // Keep the aspect ratio inside the square tile.
    const double scale = tile / static_cast<double>(std::max(image.width, image.height));
    const double w = scale * static_cast<double>(image.width), h = scale * static_cast<double>(image.height);
    const double x = left + static_cast<double>(k % columns) * (tile + tile_gap) + (tile - w) / 2;
    const double y = top + static_cast<double>(k / columns) * (tile + tile_gap) + (tile - h) / 2;
    canvas.raw(fmt::format(
        "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" "
        "style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{}\"/>\n",
        number(x), number(y), number(w), number(h), base64(grayscale_png(image.width, image.height, to_gray(image)))));
  }
  const std::size_t rows = (n + columns - 1) / columns;
  double bottom = top + static_cast<double>(rows) * (tile + tile_gap);
  const std::string note = n == 0 ? "no images"
                                  : fmt::format("{} image{}, each scaled to its own [min, max]: black is the minimum, white the maximum",
                                                n, n == 1 ? "" : "s");
  // A grid narrower than its note centres the note instead, so it is not cut at the right.
  const double note_left = std::max(margin, std::min(left, (width - label_width(note)) / 2));
  canvas.text({note_left, bottom + 10}, note, R"(fill="#555")");
  bottom += 18;
  return std::move(canvas).finish(bottom);
}

}  // namespace tg::train::report
