// f64 matrix products (and linear's bias gradient in both dtypes): plain loops over
// strided operands, one output row per parallel item.
#include <algorithm>

#include "kernels/matmul.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

namespace {

// out[b] = a[b] x b[b] for every batch index, a, b broadcast to out's batch dims.
template <class T>
void reference_matmul(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int r = out.dim();
  const std::int64_t M = out.shape()[r - 2], N = out.shape()[r - 1], K = a.shape()[r - 1];
  const std::int64_t batches = out.numel() / std::max<std::int64_t>(M * N, 1);
  const T* A = a.data<T>();
  const T* B = b.data<T>();
  T* C = out.data<T>();
  const std::int64_t sam = a.strides()[r - 2], sak = a.strides()[r - 1];
  const std::int64_t sbk = b.strides()[r - 2], sbn = b.strides()[r - 1];
  parallel_for(batches * M, grain_for_work(N * K), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t row = begin; row < end; ++row) {
      const std::int64_t bi = row / M, i = row % M;
      // Offsets of this batch in a and b (their batch strides may be 0: broadcast).
      std::int64_t oa = 0, ob = 0, rest = bi;
      for (int d = r - 3; d >= 0; --d) {
        const std::int64_t idx = rest % out.shape()[d];
        rest /= out.shape()[d];
        oa += idx * a.strides()[d];
        ob += idx * b.strides()[d];
      }
      T* c = C + (bi * M + i) * N;
      for (std::int64_t j = 0; j < N; ++j) c[j] = 0;
      for (std::int64_t k = 0; k < K; ++k) {
        const T aik = A[oa + i * sam + k * sak];
        const T* brow = B + ob + k * sbk;
        for (std::int64_t j = 0; j < N; ++j) c[j] += aik * brow[j * sbn];
      }
    }
  });
}

// out[i, j] = b[j] + sum_k x[i, k] w[j, k], for strided x [M, K] and w [N, K].
template <class T>
void reference_linear(const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& out) {
  const std::int64_t M = x.shape()[0], K = x.shape()[1], N = w.shape()[0];
  const T* X = x.data<T>();
  const T* W = w.data<T>();
  const T* B = b.defined() ? b.data<T>() : nullptr;
  T* Y = out.data<T>();
  const std::int64_t sxm = x.strides()[0], sxk = x.strides()[1], swn = w.strides()[0], swk = w.strides()[1];
  const std::int64_t sb = b.defined() ? b.strides()[0] : 0;
  parallel_for(M, grain_for_work(N * K), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      for (std::int64_t j = 0; j < N; ++j) {
        T acc = B ? B[j * sb] : T(0);
        for (std::int64_t k = 0; k < K; ++k) acc += X[i * sxm + k * sxk] * W[j * swn + k * swk];
        Y[i * N + j] = acc;
      }
    }
  });
}

}  // namespace

void matmul(const Tensor& a, const Tensor& b, const Tensor& out) {
  if (a.dtype() == f32) return matmul_f32(a, b, out);
  reference_matmul<double>(a, b, out);
}

void linear(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& out) {
  if (x.dtype() == f32) return linear_f32(x, weight, bias, out);
  reference_linear<double>(x, weight, bias, out);
}

Tensor column_sums(const Tensor& dy) {
  const std::int64_t M = dy.size(0), N = dy.size(1);
  Tensor db = zeros({N}, dy.dtype());
  dispatch_floating(dy.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* g = dy.data<T>();
    T* out = db.data<T>();
    const std::int64_t sm = dy.strides()[0], sn = dy.strides()[1];
    for (std::int64_t i = 0; i < M; ++i)
      for (std::int64_t j = 0; j < N; ++j) out[j] += g[i * sm + j * sn];
  });
  return db;
}

}  // namespace tg::kernels
