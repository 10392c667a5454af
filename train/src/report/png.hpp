#pragma once
// Just enough PNG to embed a grayscale image in a page: 8-bit gray, no filtering,
// one zlib-compressed IDAT chunk (PNG specification, 2nd edition, W3C 2003).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tg::train::report::detail {

// The PNG file of a width x height image, gray[i] row-major (0 black, 255 white).
std::string grayscale_png(std::int64_t width, std::int64_t height, const std::vector<std::uint8_t>& gray);

// RFC 4648 base64 with padding, for data: URIs.
std::string base64(std::string_view bytes);

}  // namespace tg::train::report::detail
