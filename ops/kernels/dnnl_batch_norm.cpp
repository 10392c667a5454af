// Batch normalization on oneDNN's batch_normalization primitives (f32).
#include <cstring>

#include "kernels/batch_norm.hpp"
#include "kernels/dnnl_common.hpp"

namespace tg::kernels {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

memory::desc vector_desc(std::int64_t c) { return memory::desc({c}, memory::data_type::f32, Tag::a); }

// x as [N, C, H, W]. An [N, C] input is [N, C, 1, 1] described channels-last (the same
// bytes), for which oneDNN has JIT kernels; for plain NCHW it only has ncsp_bnorm.
memory::desc data_desc(const Tensor& x) {
  if (x.dim() == 2) return memory::desc({x.size(0), x.size(1), 1, 1}, memory::data_type::f32, Tag::nhwc);
  return nchw(x.size(0), x.size(1), x.size(2), x.size(3));
}

dnnl::normalization_flags norm_flags(bool scale, bool shift, bool global_stats) {
  auto flags = dnnl::normalization_flags::none;
  if (scale) flags |= dnnl::normalization_flags::use_scale;
  if (shift) flags |= dnnl::normalization_flags::use_shift;
  if (global_stats) flags |= dnnl::normalization_flags::use_global_stats;
  return flags;
}

Key norm_key(char tag, const memory::desc& data, dnnl::normalization_flags flags, float eps) {
  std::int32_t eps_bits = 0;
  std::memcpy(&eps_bits, &eps, sizeof eps);
  Key key(tag);
  key.add(data).add(static_cast<std::int64_t>(flags)).add(eps_bits);
  return key;
}

dnnl::batch_normalization_forward::primitive_desc norm_forward_pd(const memory::desc& data, float eps,
                                                                  dnnl::normalization_flags flags) {
  dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_training, data, eps, flags);
  return dnnl::batch_normalization_forward::primitive_desc(d, cpu_engine());
}

}  // namespace

void batch_norm_forward_f32(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& mean,
                            const Tensor& var, bool global_stats, float eps, const Tensor& y) {
  run_dnnl("batch_norm", {{"input", x}, {"weight", weight}}, [&] {
    const auto data = data_desc(x), stat = vector_desc(x.size(1));
    const auto flags = norm_flags(weight.defined(), bias.defined(), global_stats);
    auto& prim = cached<dnnl::batch_normalization_forward>(norm_key('n', data, flags, eps), [&] {
      return dnnl::batch_normalization_forward(norm_forward_pd(data, eps, flags));
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory_of(data, x)},
                                         {DNNL_ARG_DST, memory_of(data, y)},
                                         {DNNL_ARG_MEAN, memory_of(stat, mean)},
                                         {DNNL_ARG_VARIANCE, memory_of(stat, var)}};
    if (weight.defined()) args.emplace(DNNL_ARG_SCALE, memory_of(stat, weight));
    if (bias.defined()) args.emplace(DNNL_ARG_SHIFT, memory_of(stat, bias));
    prim.execute(cpu_stream(), args);
    cpu_stream().wait();
  });
}

void batch_norm_backward_f32(const Tensor& x, const Tensor& dy, const Tensor& weight, bool has_bias, const Tensor& mean,
                             const Tensor& var, bool global_stats, float eps, const Tensor& dx, const Tensor& dweight,
                             const Tensor& dbias) {
  run_dnnl("batch_norm_backward", {{"input", x}, {"grad_output", dy}, {"weight", weight}}, [&] {
    const auto data = data_desc(x), stat = vector_desc(x.size(1));
    const auto flags = norm_flags(weight.defined(), has_bias, global_stats);
    auto& prim = cached<dnnl::batch_normalization_backward>(norm_key('o', data, flags, eps), [&] {
      // prop_kind::backward also computes the scale and shift gradients.
      const auto prop = (weight.defined() || has_bias) ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data;
      dnnl::batch_normalization_backward::desc d(prop, data, data, eps, flags);
      const dnnl::batch_normalization_backward::primitive_desc pd(d, cpu_engine(), norm_forward_pd(data, eps, flags));
      return dnnl::batch_normalization_backward(pd);
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory_of(data, x)},
                                         {DNNL_ARG_DIFF_DST, memory_of(data, dy)},
                                         {DNNL_ARG_MEAN, memory_of(stat, mean)},
                                         {DNNL_ARG_VARIANCE, memory_of(stat, var)},
                                         {DNNL_ARG_DIFF_SRC, memory_of(data, dx)}};
    if (weight.defined()) {
      args.emplace(DNNL_ARG_SCALE, memory_of(stat, weight));
      args.emplace(DNNL_ARG_DIFF_SCALE, memory_of(stat, dweight));
    }
    // oneDNN 2.6 refuses to run without a shift argument, though no gradient depends on it.
    const Tensor unused_shift = has_bias ? empty({x.size(1)}, f32) : Tensor{};
    if (has_bias) {
      args.emplace(DNNL_ARG_SHIFT, memory_of(stat, unused_shift));
      args.emplace(DNNL_ARG_DIFF_SHIFT, memory_of(stat, dbias));
    }
    prim.execute(cpu_stream(), args);
    cpu_stream().wait();
  });
}

}  // namespace tg::kernels
