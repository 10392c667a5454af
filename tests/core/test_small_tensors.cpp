// Small tensors: their buffer shares one pool block with the Storage (up to half the
// pool's largest block), their impl, storage and autograd state come from a per-thread
// cache, and empty() computes strides and size in one pass. None of that may show: the
// buffer is aligned and sized as any other, memory freed on another thread or after its
// thread exits stays usable, and bad shapes get the same errors.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "check_error.hpp"
#include "tapegrad/autograd.hpp"
#include "tapegrad/memory_pool.hpp"
#include "tapegrad/tensor.hpp"

using tg::Tensor;

namespace {

bool aligned_64(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % tg::Storage::kAlignment == 0; }

}  // namespace

TEST_CASE("every buffer is 64-byte aligned, sized exactly and holds its elements, in or beside its storage") {
  // 0 .. 300 f32 (up to 1200 bytes) and f64 crosses the inline limit (512 bytes).
  for (std::int64_t n : {0, 1, 2, 15, 16, 17, 100, 127, 128, 129, 300}) {
    for (tg::DType dtype : {tg::f32, tg::f64}) {
      CAPTURE(n);
      const Tensor t = tg::arange(0.0, static_cast<double>(n), 1.0, dtype);
      REQUIRE(t.numel() == n);
      CHECK(aligned_64(t.storage()->data()));
      CHECK(t.storage()->nbytes() == static_cast<std::size_t>(n) * tg::dtype_size(dtype));
      const std::vector<double> v = t.to_vector<double>();
      for (std::int64_t i = 0; i < n; ++i) CHECK(v[static_cast<std::size_t>(i)] == static_cast<double>(i));
    }
  }
}

TEST_CASE("a view of a small tensor shares its buffer and version counter") {
  Tensor t = tg::zeros({2, 3});
  const Tensor v = tg::make_view(t, {3}, {1}, 3);
  CHECK(v.storage() == t.storage());
  CHECK(v.raw_data() == static_cast<float*>(t.raw_data()) + 3);
  const std::uint64_t before = v.version();
  t.fill_(2.0);
  CHECK(v.version() == before + 1);
  CHECK(v.to_vector<double>() == std::vector<double>{2, 2, 2});
  t = Tensor{};  // the view alone keeps the buffer
  CHECK(v.to_vector<double>() == std::vector<double>{2, 2, 2});
}

TEST_CASE("small tensors and tapes made on one thread are used and freed on another") {
  std::vector<Tensor> made;
  std::thread maker([&] {
    for (int i = 0; i < 200; ++i) {
      Tensor x = tg::full({1 + i % 5}, static_cast<double>(i));
      x.requires_grad_();
      made.push_back(x);
    }
  });
  maker.join();  // its cache of blocks went back to the pool at exit
  for (int i = 0; i < 200; ++i) {
    CHECK(made[static_cast<std::size_t>(i)].to_vector<double>().front() == static_cast<double>(i));
    CHECK(made[static_cast<std::size_t>(i)].requires_grad());
  }
  // Freed here (into this thread's cache) and reused by new tensors, whose values are theirs.
  made.clear();
  std::vector<Tensor> again;
  for (int i = 0; i < 300; ++i) again.push_back(tg::full({1 + i % 5}, -static_cast<double>(i)));
  for (int i = 0; i < 300; ++i) CHECK(again[static_cast<std::size_t>(i)].to_vector<double>().back() == -static_cast<double>(i));
  // And the other way: made here, freed on a thread that exits right after.
  std::thread freer([moved = std::move(again)]() mutable { moved.clear(); });
  freer.join();
  CHECK(tg::ones({3}).to_vector<double>() == std::vector<double>{1, 1, 1});
}

TEST_CASE("empty names a negative dim before an overflowing size and checks the byte count") {
  const std::int64_t big = std::int64_t{1} << 40;
  CHECK_ERROR(tg::empty({-1, big, big}), "empty: negative dimension in shape [-1, 1099511627776, 1099511627776]");
  CHECK_ERROR(tg::empty({big, big, -2}), "empty: negative dimension in shape");
  CHECK_ERROR(tg::empty({big, big}), "shape [1099511627776, 1099511627776]: the number of elements overflows int64");
  // A zero dim does not hide an overflowing product of the others.
  CHECK_ERROR(tg::empty({0, big, big}), "the number of elements overflows int64");
  CHECK_ERROR(tg::empty({std::int64_t{1} << 61}, tg::f32), "empty: shape [2305843009213693952] of f32 needs more than 2^63 bytes");
  const Tensor none = tg::empty({0, big});
  CHECK(none.numel() == 0);
  CHECK(none.strides()[0] == big);
  CHECK(none.strides()[1] == 1);
}

TEST_CASE("empty gives row-major strides") {
  const Tensor t = tg::empty({2, 3, 4}, tg::f64);
  CHECK(t.strides()[0] == 12);
  CHECK(t.strides()[1] == 4);
  CHECK(t.strides()[2] == 1);
  CHECK(t.is_contiguous());
  const Tensor s = tg::empty({}, tg::f32);
  CHECK(s.dim() == 0);
  CHECK(s.numel() == 1);
  CHECK(aligned_64(s.raw_data()));
}

TEST_CASE("a shape has at most kMaxDims dims and numel reports an overflowing count") {
  tg::Shape s;
  CHECK_ERROR(s.resize(tg::kMaxDims + 1), "shape: at most 8 dims are supported");
  CHECK_ERROR(s.resize(-1), "shape: at most 8 dims are supported");
  s.resize(3, 7);
  CHECK(s.numel() == 343);
  const tg::Shape huge{std::numeric_limits<std::int64_t>::max(), 2};
  CHECK_ERROR((void)huge.numel(), "the number of elements overflows int64");
}
