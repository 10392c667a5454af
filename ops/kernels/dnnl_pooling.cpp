// Pooling on oneDNN's pooling_v2 primitives (f32, plain contiguous NCHW).
#include "kernels/pooling.hpp"

#include "kernels/dnnl_common.hpp"

namespace tg::kernels {

namespace {

using dnnl::memory;

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

}  // namespace tg::kernels
