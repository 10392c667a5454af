// Tensors: factories, dtypes, views sharing storage, conversions, printing, random.
#include <doctest/doctest.h>

#include <cstdint>
#include <tapegrad/tapegrad.hpp>

using tg::Shape;
using tg::Tensor;

TEST_CASE("factories make the shapes, dtypes and values asked for") {
  CHECK(tg::zeros({2, 3}).to_vector<float>() == std::vector<float>(6, 0.f));
  CHECK(tg::ones({2}, tg::f64).to_vector<double>() == std::vector<double>{1, 1});
  CHECK(tg::full({3}, 2.5).to_vector<float>() == std::vector<float>{2.5f, 2.5f, 2.5f});
  CHECK(tg::arange(5).to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 1, 2, 3, 4});
  CHECK(tg::arange(1.0, 2.0, 0.25, tg::f64).to_vector<double>() == std::vector<double>{1, 1.25, 1.5, 1.75});
  const Tensor t = tg::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(t.dtype() == tg::f64);
  CHECK(t.shape() == Shape{2, 3});
  CHECK(t.strides() == Shape{3, 1});
  CHECK(t.numel() == 6);
  CHECK(tg::scalar_tensor(4.0).item() == 4.0);
  CHECK(tg::scalar_tensor(4.0).dim() == 0);
}

TEST_CASE("storage is 64-byte aligned") {
  for (int n : {1, 3, 17, 1000}) {
    const Tensor t = tg::empty({n});
    CHECK(reinterpret_cast<std::uintptr_t>(t.raw_data()) % 64 == 0);
  }
}

TEST_CASE("views share storage with their base") {
  Tensor base = tg::arange(0.0, 12.0, 1.0, tg::f64);
  Tensor m = tg::reshape(base, {3, 4});
  Tensor tr = tg::transpose(m, 0, 1);
  Tensor sl = tg::slice(m, 1, 1, 4, 2);  // columns 1 and 3
  CHECK(m.storage() == base.storage());
  CHECK(tr.storage() == base.storage());
  CHECK(sl.storage() == base.storage());
  CHECK_FALSE(tr.is_contiguous());
  CHECK(tr.shape() == Shape{4, 3});
  CHECK(tr.to_vector<double>() == std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  CHECK(sl.to_vector<double>() == std::vector<double>{1, 3, 5, 7, 9, 11});
  base.data<double>()[5] = 100;  // visible through every view
  CHECK(m.to_vector<double>()[5] == 100);
  CHECK(sl.to_vector<double>()[2] == 100);
  // reshape of a non-contiguous view copies
  Tensor flat = tg::reshape(tr, {12});
  CHECK(flat.storage() != base.storage());
  CHECK(flat.to_vector<double>()[1] == 4);
}

TEST_CASE("expand broadcasts without copying") {
  Tensor col = tg::from_vector(std::vector<double>{1, 2}, {2, 1});
  Tensor e = tg::expand(col, {2, 3});
  CHECK(e.strides()[1] == 0);
  CHECK(e.storage() == col.storage());
  CHECK(e.to_vector<double>() == std::vector<double>{1, 1, 1, 2, 2, 2});
}

TEST_CASE("to() converts dtypes, contiguous() and clone() copy") {
  Tensor f = tg::from_vector(std::vector<float>{1.5f, -2.f}, {2});
  CHECK(f.to(tg::f64).to_vector<double>() == std::vector<double>{1.5, -2.0});
  CHECK(f.to(tg::i64).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, -2});
  CHECK(f.to(tg::f32).same(f));  // same dtype: the same tensor
  Tensor c = f.clone();
  CHECK(c.storage() != f.storage());
  Tensor t = tg::transpose(tg::reshape(tg::arange(0.0, 6.0, 1.0), {2, 3}), 0, 1);
  Tensor tc = t.contiguous();
  CHECK(tc.is_contiguous());
  CHECK(tc.to_vector<float>() == t.to_vector<float>());
}

TEST_CASE("in-place writes bump the storage version, shared by views") {
  Tensor t = tg::zeros({4});
  Tensor v = tg::slice(t, 0, 0, 2);
  const auto v0 = t.version();
  v.fill_(3.0);
  CHECK(t.version() == v0 + 1);
  CHECK(t.to_vector<float>() == std::vector<float>{3, 3, 0, 0});
  t.copy_(tg::ones({4}));
  CHECK(v.version() == v0 + 2);
}

TEST_CASE("printing shows dtype, shape and values, abridged when long") {
  const Tensor t = tg::from_vector(std::vector<double>{1, 2.5, 3, 4}, {2, 2});
  const std::string s = fmt::format("{}", t);
  CHECK(s == "tensor(f64, [2, 2],\n[[1, 2.5],\n  [3, 4]])");
  const std::string big = fmt::format("{}", tg::arange(1001));  // above the threshold of 1000
  CHECK(big.find("...") != std::string::npos);
  CHECK(big.size() < 100);
  Tensor x = tg::ones({2}).requires_grad_();
  CHECK(fmt::format("{}", x * 2.0).find("grad_fn=mul") != std::string::npos);
}

TEST_CASE("random tensors are reproducible from a seed and independent of thread count") {
  tg::Generator a(11), b(11);
  const auto x = tg::randn({1000}, tg::f32, &a).to_vector<float>();
  const auto y = tg::randn({1000}, tg::f32, &b).to_vector<float>();
  CHECK(x == y);
  tg::Generator c(11);
  tg::set_num_threads(1);
  const auto big1 = tg::rand({300000}, tg::f32, &c).to_vector<float>();
  tg::set_num_threads(2);
  tg::Generator d(11);
  const auto big2 = tg::rand({300000}, tg::f32, &d).to_vector<float>();
  CHECK(big1 == big2);
  double mean = 0, var = 0;
  const auto n = tg::randn({100000}, tg::f64, &a).to_vector<double>();
  for (double v : n) mean += v / n.size();
  for (double v : n) var += (v - mean) * (v - mean) / n.size();
  CHECK(std::abs(mean) < 0.02);
  CHECK(std::abs(var - 1) < 0.02);
  const auto u = tg::uniform({10000}, -2, 3, tg::f64, &a).to_vector<double>();
  CHECK(*std::min_element(u.begin(), u.end()) >= -2);
  CHECK(*std::max_element(u.begin(), u.end()) < 3);
}

TEST_CASE("large elementwise and reductions agree between f32 (oneDNN) and f64") {
  tg::Generator g(1);
  const Tensor a = tg::randn({300, 70}, tg::f64, &g), b = tg::randn({70}, tg::f64, &g);
  const auto ref = (tg::exp(a * 0.1) + b).to_vector<double>();
  const auto got = (tg::exp(a.to(tg::f32) * 0.1) + b.to(tg::f32)).to_vector<double>();
  for (std::size_t i = 0; i < ref.size(); ++i) CHECK(std::abs(ref[i] - got[i]) < 1e-5 * (1 + std::abs(ref[i])));
  CHECK(tg::sum(a).item() == doctest::Approx(tg::sum(a.to(tg::f32)).item()).epsilon(1e-4));
  const auto rows = tg::sum(tg::transpose(a, 0, 1), {1}).to_vector<double>();
  const auto rows32 = tg::sum(tg::transpose(a.to(tg::f32), 0, 1), {1}).to_vector<double>();
  for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i] == doctest::Approx(rows32[i]).epsilon(1e-4));
}

TEST_CASE("oneDNN primitives are created once per shape and reused") {
  const Tensor a = tg::randn({128, 64}), b = tg::randn({64, 32}), x = tg::randn({100, 100});
  (void)tg::matmul(a, b);
  (void)tg::exp(x);
  const auto created = tg::dnnl_primitives_created();
  for (int i = 0; i < 5; ++i) {
    (void)tg::matmul(a, b);
    (void)tg::exp(x);
  }
  CHECK(tg::dnnl_primitives_created() == created);
  (void)tg::matmul(tg::randn({5, 64}), b);  // a new shape needs a new primitive
  CHECK(tg::dnnl_primitives_created() == created + 1);
}
