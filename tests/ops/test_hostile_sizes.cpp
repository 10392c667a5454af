// Tensor sizes near int64: every element count, stride and byte count is checked, so a
// huge shape is a clear error instead of a wrapped size and a write past the buffer.
#include <doctest/doctest.h>

#include <cstdint>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Shape;

TEST_CASE("a shape whose byte count overflows is refused by the factories") {
  CHECK_ERROR(tg::zeros({1LL << 62}), "empty: shape [4611686018427387904] of f32 needs more than 2^63 bytes");
  CHECK_ERROR(tg::ones({1LL << 61}, tg::f64), "needs more than 2^63 bytes");
  CHECK_ERROR(tg::rand({1LL << 62}), "needs more than 2^63 bytes");
}

TEST_CASE("a shape whose element count overflows is refused, even next to a zero dim") {
  CHECK_ERROR(tg::zeros({1LL << 62, 4}), "shape [4611686018427387904, 4]: the number of elements overflows int64");
  CHECK_ERROR(tg::zeros({1LL << 62, 4, 0}), "the number of elements overflows int64");
  CHECK_ERROR(Shape({1LL << 32, 1LL << 32}).numel(), "the number of elements overflows int64");
  CHECK_ERROR(tg::contiguous_strides(Shape{1LL << 62, 4, 1}), "shape [4611686018427387904, 4, 1]: the strides overflow int64");
}

TEST_CASE("shapes with zero dims and large but representable counts keep their numel") {
  CHECK(Shape({1LL << 40, 0}).numel() == 0);
  CHECK(Shape({1LL << 31, 1LL << 31}).numel() == (1LL << 62));
  CHECK(tg::zeros({1LL << 40, 0}).numel() == 0);
  CHECK(tg::contiguous_strides(Shape{3, 0, 5}) == Shape{5, 5, 1});
}

TEST_CASE("negative dims are refused by the factories") {
  CHECK_ERROR(tg::zeros({2, -3}), "empty: negative dimension in shape [2, -3]");
  CHECK_ERROR(tg::randn({-1}), "empty: negative dimension in shape [-1]");
}

TEST_CASE("reshape refuses a requested shape whose element count overflows") {
  CHECK_ERROR(tg::reshape(tg::zeros({0}), {1LL << 62, 4, -1}), "reshape: the number of elements of [4611686018427387904, 4, -1] overflows int64");
  CHECK_ERROR(tg::reshape(tg::zeros({0}), {1LL << 62, 4, 0}), "overflows int64");
}
