#include "kernels/batch_norm.hpp"
#include "kernels/pooling.hpp"

#include <cstring>

#include "kernels/dnnl_common.hpp"

namespace tg::kernels {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

memory::desc nchw(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  return memory::desc({n, c, h, w}, memory::data_type::f32, Tag::nchw);
}

memory::desc vector_desc(std::int64_t c) { return memory::desc({c}, memory::data_type::f32, Tag::a); }

Key& add_geometry(Key& key, const PoolGeometry& g) {
  for (std::int64_t v : {g.n, g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw}) key.add(v);
  return key;
}

// The forward descriptor; right padding is the left one (the floor-mode output size
// then matches oneDNN's (in + pl + pr - k) / s + 1).
dnnl::pooling_v2_forward::primitive_desc pool_forward_pd(dnnl::prop_kind prop, dnnl::algorithm alg,
                                                         const PoolGeometry& g) {
  const memory::dims strides{g.sh, g.sw}, kernel{g.kh, g.kw}, dilation{0, 0}, padding{g.ph, g.pw};
  dnnl::pooling_v2_forward::desc d(prop, alg, nchw(g.n, g.c, g.h, g.w), nchw(g.n, g.c, g.oh, g.ow), strides, kernel,
                                   dilation, padding, padding);
  return dnnl::pooling_v2_forward::primitive_desc(d, cpu_engine());
}

struct PoolForward {
  dnnl::pooling_v2_forward primitive;
  memory::desc workspace;
};

struct PoolBackward {
  dnnl::pooling_v2_backward primitive;
  memory::desc workspace;
};

dnnl::algorithm to_dnnl(Pool kind) {
  switch (kind) {
    case Pool::max: return dnnl::algorithm::pooling_max;
    case Pool::avg_include_pad: return dnnl::algorithm::pooling_avg_include_padding;
    case Pool::avg_exclude_pad: return dnnl::algorithm::pooling_avg_exclude_padding;
  }
  return dnnl::algorithm::undef;
}

const char* name_of(Pool kind, bool backward) {
  if (kind == Pool::max) return backward ? "max_pool2d_backward" : "max_pool2d";
  return backward ? "avg_pool2d_backward" : "avg_pool2d";
}

}  // namespace

void pool_forward_f32(Pool kind, const PoolGeometry& g, const Tensor& x, const Tensor& y,
                      Tensor* workspace) {
  run_dnnl(name_of(kind, false), {{"input", x}, {"output", y}}, [&] {
    const dnnl::algorithm alg = to_dnnl(kind);
    const bool training = workspace != nullptr && alg == dnnl::algorithm::pooling_max;
    const auto prop = training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    Key key('p');
    key.add(static_cast<std::int64_t>(alg)).add(static_cast<std::int64_t>(prop));
    auto& fwd = cached<PoolForward>(add_geometry(key, g), [&] {
      const auto pd = pool_forward_pd(prop, alg, g);
      return PoolForward{dnnl::pooling_v2_forward(pd), pd.workspace_desc()};
    });
    const auto src = nchw(g.n, g.c, g.h, g.w), dst = nchw(g.n, g.c, g.oh, g.ow);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory_of(src, x)}, {DNNL_ARG_DST, memory_of(dst, y)}};
    if (training) {
      const auto bytes = static_cast<std::int64_t>(fwd.workspace.get_size());
      *workspace = empty({(bytes + 7) / 8}, i64);
      args.emplace(DNNL_ARG_WORKSPACE, memory(fwd.workspace, cpu_engine(), workspace->raw_data()));
    }
    fwd.primitive.execute(cpu_stream(), args);
    cpu_stream().wait();
  });
}

void pool_backward_f32(Pool kind, const PoolGeometry& g, const Tensor& dy, const Tensor& dx,
                       const Tensor& workspace) {
  run_dnnl(name_of(kind, true), {{"grad_output", dy}, {"grad_input", dx}}, [&] {
    const dnnl::algorithm alg = to_dnnl(kind);
    Key key('q');
    key.add(static_cast<std::int64_t>(alg));
    auto& bwd = cached<PoolBackward>(add_geometry(key, g), [&] {
      const auto hint = pool_forward_pd(dnnl::prop_kind::forward_training, alg, g);
      const memory::dims strides{g.sh, g.sw}, kernel{g.kh, g.kw}, dilation{0, 0}, padding{g.ph, g.pw};
      dnnl::pooling_v2_backward::desc d(alg, nchw(g.n, g.c, g.h, g.w), nchw(g.n, g.c, g.oh, g.ow), strides, kernel,
                                        dilation, padding, padding);
      const dnnl::pooling_v2_backward::primitive_desc pd(d, cpu_engine(), hint);
      return PoolBackward{dnnl::pooling_v2_backward(pd), pd.workspace_desc()};
    });
    const auto diff_src = nchw(g.n, g.c, g.h, g.w), diff_dst = nchw(g.n, g.c, g.oh, g.ow);
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, memory_of(diff_dst, dy)},
                                         {DNNL_ARG_DIFF_SRC, memory_of(diff_src, dx)}};
    if (alg == dnnl::algorithm::pooling_max)
      args.emplace(DNNL_ARG_WORKSPACE, memory(bwd.workspace, cpu_engine(), workspace.raw_data()));
    bwd.primitive.execute(cpu_stream(), args);
    cpu_stream().wait();
  });
}

namespace {

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
