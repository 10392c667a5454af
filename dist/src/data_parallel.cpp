#include "tapegrad/dist/data_parallel.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "mpi_support.hpp"
#include "tapegrad/autograd.hpp"
#include "tapegrad/dist/collectives.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/ops/operators.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::dist {

namespace {

struct Bucket {
  DType dtype = f32;
  Tensor flat;                       // the bucket's gradients, back to back
  // The all-reduce's result, a buffer apart from flat: it saves libnbc's in-place copy,
  // and should the user choose libnbc's default algorithm instead of the ring the
  // Environment sets, an in-place call would make it a binomial tree (reduce to one rank,
  // broadcast back) where two buffers get Rabenseifner's from 4 ranks on. docs/distributed.md.
  Tensor sum;
  std::int64_t numel = 0;            // elements (flat and sum are allocated once, at this size)
  std::vector<std::size_t> members;  // parameter indices, in filling order
  std::size_t pending = 0;           // members whose gradient has not arrived this step
  MPI_Request request = MPI_REQUEST_NULL;
  bool started = false;
};

// dst (a slice of a bucket, contiguous) = src, of the same shape: one memcpy when src is
// contiguous of the same dtype (the usual gradient), the strided element copy otherwise.
void copy_into(const Tensor& dst, const Tensor& src) {
  if (src.is_contiguous() && src.dtype() == dst.dtype()) {
    std::memcpy(dst.raw_data(), src.raw_data(), static_cast<std::size_t>(dst.numel()) * dtype_size(dst.dtype()));
  } else {
    copy_elements(dst, src);
  }
}

template <class T>
void scaled_copy(T* dst, const T* src, std::int64_t count, T factor) {
#pragma omp simd
  for (std::int64_t k = 0; k < count; ++k) dst[k] = src[k] * factor;
}

// grad = sum * factor, elementwise; both contiguous, of one shape and dtype.
void write_scaled(const Tensor& grad, const Tensor& sum, double factor) {
  if (grad.dtype() == f32) {
    scaled_copy(grad.data<float>(), sum.data<float>(), grad.numel(), static_cast<float>(factor));
  } else {
    scaled_copy(grad.data<double>(), sum.data<double>(), grad.numel(), factor);
  }
}

struct Slot {
  std::size_t bucket = 0;
  std::int64_t offset = 0;  // in elements, within the bucket's flat buffer
  bool arrived = false;
  Tensor in_flat, in_sum;   // the parameter's elements of the bucket's flat and sum, in its shape
};

}  // namespace

struct DataParallel::State {
  std::vector<Tensor> params;
  std::vector<Slot> slots;
  std::vector<Bucket> buckets;
  int no_sync_depth = 0;
  bool armed = false;  // the next backward is a training step's (prepare_for_backward)

  static Tensor flat_view(const Tensor& flat, std::int64_t offset, const Shape& shape) {
    const Tensor piece = tg::slice(flat, 0, offset, offset + shape.numel());
    return piece.reshape(shape.to_vector());
  }

  void start(Bucket& b) {
    const int count = static_cast<int>(b.flat.numel());
    detail::check("tg::dist::DataParallel: starting the gradients' all-reduce",
                  MPI_Iallreduce(b.flat.raw_data(), b.sum.raw_data(), count, b.dtype == f32 ? MPI_FLOAT : MPI_DOUBLE,
                                 MPI_SUM, MPI_COMM_WORLD, &b.request));
    b.started = true;
  }

  // Open MPI advances non-blocking collectives only inside MPI calls: testing the
  // started ones from each hook lets them progress while backward computes.
  void progress() {
    for (Bucket& b : buckets) {
      if (!b.started || b.request == MPI_REQUEST_NULL) continue;
      int done = 0;
      MPI_Test(&b.request, &done, MPI_STATUS_IGNORE);
    }
  }

  // .grad() = the bucket's sum for parameter i times inv_size, in one pass. Like
  // PyTorch's DistributedDataParallel it overwrites the gradient backward left (no
  // allocation: a fresh tensor of a big layer costs page faults every step), unless that
  // gradient is not a plain tensor of its own (part of a graph, a view of shared or
  // strided memory), which it leaves alone and replaces.
  void set_mean_grad(std::size_t i, double inv_size) {
    const Tensor& sum = slots[i].in_sum;
    Tensor& grad = params[i].mutable_grad();
    const bool own = grad.defined() && !grad.requires_grad() && grad.is_contiguous() && grad.dtype() == sum.dtype() &&
                     grad.impl_ptr().use_count() == 1 && grad.storage().use_count() == 1;
    if (!own) grad = empty(params[i].shape(), params[i].dtype());
    write_scaled(grad, sum, inv_size);
    grad.bump_version();
  }

  // The gradient g arrives for parameter i: its accumulated value (.grad() + g) goes
  // into the bucket, and a bucket whose last gradient arrived is all-reduced.
  void arrive(std::size_t i, const Tensor& g) {
    if (no_sync_depth > 0 || !armed) return;
    Slot& s = slots[i];
    NoGradGuard no_grad;
    const Tensor& old = params[i].grad();
    copy_into(s.in_flat, old.defined() ? old + g : g);
    if (!s.arrived) {
      s.arrived = true;
      Bucket& b = buckets[s.bucket];
      if (--b.pending == 0) start(b);
    }
    progress();
  }
};

DataParallel::DataParallel(nn::ModulePtr module, DataParallelOptions options)
    : module_(std::move(module)), state_(std::make_shared<State>()) {
  TG_CHECK(module_ != nullptr, "tg::dist::DataParallel: the module is null");
  TG_CHECK(is_initialized(), "tg::dist::DataParallel: MPI is not initialized; create a tg::dist::Environment first");
  TG_CHECK(options.bucket_bytes > 0, "tg::dist::DataParallel: bucket_bytes must be > 0");
  TG_CHECK(options.first_bucket_bytes > 0, "tg::dist::DataParallel: first_bucket_bytes must be > 0");
  // Every replica starts from rank 0's parameters and buffers.
  {
    NoGradGuard no_grad;
    for (Tensor& t : module_->parameters()) broadcast(t, 0);
  }
  broadcast_buffers();
  State& s = *state_;
  for (const Tensor& p : module_->parameters())
    if (p.requires_grad()) s.params.push_back(p);
  TG_CHECK(!s.params.empty(), "tg::dist::DataParallel: the module has no parameter that requires grad");
  s.slots.resize(s.params.size());
  // Reverse registration order: backward produces the last layers' gradients first.
  for (std::size_t k = s.params.size(); k-- > 0;) {
    const Tensor& p = s.params[k];
    // A bucket takes parameters until it holds bucket_bytes or more; the first one (the
    // last layers', whose gradients come first) until first_bucket_bytes.
    const std::size_t limit =
        s.buckets.size() == 1 ? std::min(options.first_bucket_bytes, options.bucket_bytes) : options.bucket_bytes;
    const bool fits = !s.buckets.empty() && s.buckets.back().dtype == p.dtype() &&
                      static_cast<std::size_t>(s.buckets.back().numel) * dtype_size(p.dtype()) < limit;
    if (!fits) {
      Bucket b;
      b.dtype = p.dtype();
      s.buckets.push_back(std::move(b));
    }
    Bucket& b = s.buckets.back();
    s.slots[k].bucket = s.buckets.size() - 1;
    s.slots[k].offset = b.numel;
    b.members.push_back(k);
    b.numel += p.numel();
  }
  for (Bucket& b : s.buckets) {
    b.pending = b.members.size();
    b.flat = zeros({b.numel}, b.dtype);
    b.sum = zeros({b.numel}, b.dtype);
  }
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    Slot& slot = s.slots[i];
    const Bucket& b = s.buckets[slot.bucket];
    slot.in_flat = State::flat_view(b.flat, slot.offset, s.params[i].shape());
    slot.in_sum = State::flat_view(b.sum, slot.offset, s.params[i].shape());
  }
  const std::weak_ptr<State> weak = state_;
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    s.params[i].register_hook([weak, i](const Tensor& g) -> Tensor {
      if (const auto state = weak.lock()) state->arrive(i, g);
      return {};
    });
  }
}

DataParallel::~DataParallel() {
  // A step left unsynchronized still completes its collectives, so that no rank waits
  // forever on this one.
  // Bounded: with a rank gone, the wait gives up after tg::dist::timeout().
  for (Bucket& b : state_->buckets) {
    if (!b.started || b.request == MPI_REQUEST_NULL) continue;
    try {
      detail::wait_for(b.request, "tg::dist::DataParallel");
    } catch (const Error&) {
      return;  // the job is failing already; the error that unwinds says why
    }
  }
}

void DataParallel::broadcast_buffers() {
  NoGradGuard no_grad;
  for (Tensor& t : module_->buffers())
    if (t.dtype() == f32 || t.dtype() == f64) broadcast(t, 0);
}

void DataParallel::synchronize() {
  State& s = *state_;
  TG_CHECK(s.no_sync_depth == 0, "tg::dist::DataParallel: synchronize inside a no_sync scope");
  NoGradGuard no_grad;
  for (Bucket& b : s.buckets) {
    if (b.started) continue;
    // Gradients that did not arrive this step (a parameter the loss did not reach, or a
    // step with no backward since no_sync): their current .grad(), or zeros.
    for (std::size_t i : b.members) {
      if (s.slots[i].arrived) continue;
      const Tensor& g = s.params[i].grad();
      copy_into(s.slots[i].in_flat, g.defined() ? g : zeros_like(s.params[i]));
    }
    s.start(b);
  }
  s.armed = false;
  const double inv_size = 1.0 / size();
  for (Bucket& b : s.buckets) {
    detail::wait_for(b.request, "tg::dist::DataParallel: the gradients' all-reduce");
    b.started = false;
    b.pending = b.members.size();
    for (std::size_t i : b.members) {
      s.slots[i].arrived = false;
      s.set_mean_grad(i, inv_size);
    }
  }
}

void DataParallel::prepare_for_backward() { state_->armed = true; }

Tensor DataParallel::operator()(const Tensor& input) {
  prepare_for_backward();
  return (*module_)(input);
}

std::size_t DataParallel::num_buckets() const { return state_->buckets.size(); }

std::size_t DataParallel::buckets_in_flight() const {
  std::size_t n = 0;
  for (const Bucket& b : state_->buckets) n += b.started ? 1 : 0;
  return n;
}

DataParallel::NoSync::NoSync(DataParallel& ddp) : ddp_(ddp) { ++ddp_.state_->no_sync_depth; }
DataParallel::NoSync::~NoSync() { --ddp_.state_->no_sync_depth; }

}  // namespace tg::dist
