// Printing: in full up to PrintOptions::threshold elements (1000, NumPy's default), each
// long dim abridged to edgeitems at each end above it; fmt, operator<< and to_string
// give the same text.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include <sstream>
#include <string>

#include "check_error.hpp"

using tg::Tensor;

namespace {

// Restores the process-wide options when a test ends.
struct PrintOptionsGuard {
  tg::PrintOptions saved = tg::print_options();
  ~PrintOptionsGuard() { tg::set_print_options(saved); }
};

}  // namespace

TEST_CASE("a small tensor prints in full, whatever the length of its dims") {
  CHECK(tg::to_string(tg::arange(0.0, 8.0, 1.0, tg::f64)) == "tensor(f64, [8],\n[0, 1, 2, 3, 4, 5, 6, 7])");
  const std::string thousand = fmt::format("{}", tg::arange(1000));
  CHECK(thousand.find("...") == std::string::npos);
  CHECK(thousand.find(", 500, 501, ") != std::string::npos);
  CHECK(thousand.ends_with(", 998, 999])"));
  CHECK(tg::to_string(tg::arange(12).reshape({2, 6})) ==
        "tensor(i64, [2, 6],\n[[0, 1, 2, 3, 4, 5],\n  [6, 7, 8, 9, 10, 11]])");
}

TEST_CASE("above 1000 elements each dim longer than 6 is abridged around ...") {
  CHECK(tg::to_string(tg::arange(1001)) == "tensor(i64, [1001],\n[0, 1, 2, ..., 998, 999, 1000])");
  CHECK(tg::to_string(tg::arange(1200).reshape({2, 600})) ==
        "tensor(i64, [2, 600],\n[[0, 1, 2, ..., 597, 598, 599],\n  [600, 601, 602, ..., 1197, 1198, 1199]])");
  CHECK(tg::to_string(tg::arange(1400).reshape({700, 2})) ==
        "tensor(i64, [700, 2],\n[[0, 1],\n  [2, 3],\n  [4, 5],\n  ...,\n  [1394, 1395],\n  [1396, 1397],\n  [1398, 1399]])");
}

TEST_CASE("set_print_options changes threshold, edgeitems and precision") {
  const PrintOptionsGuard guard;
  const Tensor x = tg::from_vector(std::vector<double>{1.23456, 2, 3, 4, 5, 6.5}, {6});
  CHECK(tg::to_string(x) == "tensor(f64, [6],\n[1.23456, 2, 3, 4, 5, 6.5])");
  tg::set_print_options({.threshold = 5, .edgeitems = 1, .precision = 3});
  CHECK(tg::print_options().threshold == 5);
  CHECK(tg::to_string(x) == "tensor(f64, [6],\n[1.23, ..., 6.5])");
  tg::set_print_options({.threshold = 6, .edgeitems = 1, .precision = 2});
  CHECK(tg::to_string(x) == "tensor(f64, [6],\n[1.2, 2, 3, 4, 5, 6.5])");
  tg::set_print_options({});
  CHECK(tg::print_options().threshold == 1000);
  CHECK(tg::print_options().edgeitems == 3);
  CHECK(tg::print_options().precision == 6);
}

TEST_CASE("set_print_options rejects values out of range") {
  const PrintOptionsGuard guard;
  CHECK_ERROR(tg::set_print_options({.threshold = -1}), "set_print_options: threshold must be >= 0, got -1");
  CHECK_ERROR(tg::set_print_options({.edgeitems = 0}), "set_print_options: edgeitems must be >= 1, got 0");
  CHECK_ERROR(tg::set_print_options({.precision = 0}), "set_print_options: precision must be in [1, 17], got 0");
  CHECK_ERROR(tg::set_print_options({.precision = 18}), "set_print_options: precision must be in [1, 17], got 18");
  CHECK(tg::print_options().threshold == 1000);  // unchanged by a rejected call
}

TEST_CASE("operator<< prints what fmt and to_string print") {
  const Tensor x = tg::from_vector(std::vector<float>{0.5f, -1}, {2}).requires_grad_();
  std::ostringstream out;
  out << x;
  CHECK(out.str() == "tensor(f32, [2], requires_grad,\n[0.5, -1])");
  CHECK(out.str() == fmt::format("{}", x));
  CHECK(tg::to_string(Tensor{}) == "tensor(undefined)");
}
