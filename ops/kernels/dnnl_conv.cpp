#include "kernels/conv.hpp"

#include <vector>

#include "kernels/channel_blocks.hpp"
#include "kernels/dnnl_common.hpp"
#include "kernels/dnnl_reordered_weights.hpp"
#include "kernels/dense.hpp"
#include "tapegrad/memory_pool.hpp"
#include "tapegrad/profiler.hpp"

namespace tg::kernels {

namespace {

using dnnl::memory;
using Dims = memory::dims;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

// The convolution in oneDNN's terms. Grouped weights are 5-D [G, O/G, C/G, KH, KW];
// dilation counts the gaps between taps (0 = dense); the right padding is the one
// that makes the output size come out exactly (it can be below the left padding, or
// negative, when the stride skips the last input rows).
struct ConvDims {
  Dims src, weights, dst, strides, dilates, padding_l, padding_r;
};

ConvDims conv_dims(const ConvGeometry& g) {
  ConvDims d;
  d.src = {g.batch, g.in_channels, g.in_h, g.in_w};
  d.dst = {g.batch, g.out_channels, g.out_h, g.out_w};
  if (g.groups == 1) {
    d.weights = {g.out_channels, g.in_channels, g.kernel_h, g.kernel_w};
  } else {
    d.weights = {g.groups, g.out_per_group(), g.in_per_group(), g.kernel_h, g.kernel_w};
  }
  d.strides = {g.stride_h, g.stride_w};
  d.dilates = {g.dilation_h - 1, g.dilation_w - 1};
  d.padding_l = {g.pad_h, g.pad_w};
  const std::int64_t extent_h = g.dilation_h * (g.kernel_h - 1) + 1, extent_w = g.dilation_w * (g.kernel_w - 1) + 1;
  d.padding_r = {(g.out_h - 1) * g.stride_h + extent_h - g.in_h - g.pad_h,
                 (g.out_w - 1) * g.stride_w + extent_w - g.in_w - g.pad_w};
  return d;
}

// oneDNN picks the layouts (blocked by 16 channels on AVX-512). Measured on the
// benchmark's layers (batch 64, 2 Zen cores): against plain NCHW everywhere (which
// runs on im2col + gemm) the blocked primitives plus the reorders to and from NCHW
// are 2x faster on 32 -> 64 channels and 1.25x on the 1 -> 32 first layer; NHWC is
// slower than both.
memory::desc any(const Dims& dims) { return memory::desc(dims, kF32, Tag::any); }

// The user's weights: contiguous OIHW, read as GOIHW when grouped.
memory::desc user_weights(const ConvDims& d) {
  return memory::desc(d.weights, kF32, d.weights.size() == 4 ? Tag::oihw : Tag::goihw);
}

Key& add_geometry(Key& key, const ConvGeometry& g) {
  for (std::int64_t v : {g.batch, g.in_channels, g.in_h, g.in_w, g.out_channels, g.kernel_h, g.kernel_w, g.stride_h,
                         g.stride_w, g.pad_h, g.pad_w, g.dilation_h, g.dilation_w, g.groups})
    key.add(v);
  return key;
}

// How one operand travels between the user's layout and the layout the primitive
// chose: directly when they agree, else through a reorder made once with the
// primitive and a scratch buffer taken from tapegrad's pool for the call. Plain NCHW
// to and from nChw16c goes through channel_blocks.hpp's tile copies instead.
struct Layout {
  memory::desc user, inner;
  dnnl::reorder reorder;  // user -> inner for inputs, inner -> user for outputs
  bool direct = true;
  bool tiles = false;     // plain NCHW <-> nChw16c by channel_blocks.hpp
  Dims dims;

  Layout() = default;
  // Weights (allow_tiles false) always go through oneDNN's reorder: reordered_weights
  // caches its result.
  Layout(const memory::desc& user_desc, const memory::desc& inner_desc, bool is_input, bool allow_tiles = true)
      : user(user_desc), inner(inner_desc), direct(user_desc == inner_desc) {
    if (direct) return;
    dims = user.dims();
    tiles = allow_tiles && dims.size() == 4 && dims[1] % 16 == 0 && has_channel_block_copies() &&
            user == memory::desc(dims, kF32, Tag::nchw) && inner == memory::desc(dims, kF32, Tag::aBcd16b);
    if (tiles) return;
    auto& e = cpu_engine();
    reorder = is_input ? dnnl::reorder(dnnl::reorder::primitive_desc(e, user, e, inner))
                       : dnnl::reorder(dnnl::reorder::primitive_desc(e, inner, e, user));
  }

  // Copies src (user layout for inputs, inner for outputs) into dst.
  void copy(memory& src, memory& dst, bool is_input) const {
    ProfileScope scope(is_input ? "conv operand to oneDNN layout" : "conv result to NCHW");
    if (!tiles) {
      reorder.execute(cpu_stream(), src, dst);
      return;
    }
    const auto* from = static_cast<const float*>(src.get_data_handle());
    auto* to = static_cast<float*>(dst.get_data_handle());
    if (is_input) {
      nchw_to_blocked16(from, to, dims[0], dims[1], dims[2] * dims[3]);
    } else {
      blocked16_to_nchw(from, to, dims[0], dims[1], dims[2] * dims[3]);
    }
  }
};

// The memories of one call, which may run several primitives. Inputs are reordered
// into scratch buffers on the way in (once per tensor and layout, so two primitives
// reading the same gradient share one reorder); outputs computed in scratch buffers
// are reordered out by finish().
class Call {
 public:
  Call() = default;
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  ~Call() {
    for (auto& s : scratch_) pool::deallocate(s.data, s.bytes);
  }

  memory input(const Layout& l, const Tensor& t) {
    memory user(l.user, cpu_engine(), t.raw_data());
    if (l.direct) return user;
    for (const auto& r : reordered_)
      if (r.source == t.raw_data() && r.layout->user == l.user && r.layout->inner == l.inner) return r.inner;
    memory inner = scratch(l.inner);
    l.copy(user, inner, true);
    reordered_.push_back({&l, t.raw_data(), inner});
    return inner;
  }
  // Weights: reordered copies outlive the call (see reordered_weights.hpp).
  memory weights(const Layout& l, const Tensor& w) {
    if (l.direct) return memory(l.user, cpu_engine(), w.raw_data());
    return reordered_weights(w, l.user, l.inner, l.reorder);
  }
  memory output(const Layout& l, const Tensor& t) {
    memory user(l.user, cpu_engine(), t.raw_data());
    if (l.direct) return user;
    memory inner = scratch(l.inner);
    outputs_.push_back({&l, inner, user});
    return inner;
  }
  void execute(const dnnl::primitive& prim, const std::unordered_map<int, memory>& args) {
    prim.execute(cpu_stream(), args);
  }
  void finish() {
    cpu_stream().wait();
    for (auto& o : outputs_) o.layout->copy(o.inner, o.user, false);
    cpu_stream().wait();
  }

 private:
  struct Block {
    void* data;
    std::size_t bytes;
  };
  struct Reordered {
    const Layout* layout;
    const void* source;
    memory inner;
  };
  struct PendingOutput {
    const Layout* layout;
    memory inner, user;
  };
  memory scratch(const memory::desc& d) {
    const std::size_t bytes = d.get_size();
    scratch_.push_back({pool::allocate(bytes), bytes});
    return memory(d, cpu_engine(), scratch_.back().data);
  }
  std::vector<Block> scratch_;
  std::vector<Reordered> reordered_;
  std::vector<PendingOutput> outputs_;
};

dnnl::convolution_forward::primitive_desc forward_pd(const ConvDims& d, bool with_bias, std::int64_t out_channels) {
  using F = dnnl::convolution_forward;
  const auto prop = dnnl::prop_kind::forward_training;
  const auto alg = dnnl::algorithm::convolution_direct;
  if (with_bias) {
    const memory::desc bias({out_channels}, kF32, Tag::x);
    return {F::desc(prop, alg, any(d.src), any(d.weights), bias, any(d.dst), d.strides, d.dilates, d.padding_l,
                    d.padding_r),
            cpu_engine()};
  }
  return {F::desc(prop, alg, any(d.src), any(d.weights), any(d.dst), d.strides, d.dilates, d.padding_l, d.padding_r),
          cpu_engine()};
}

memory::desc plain_nchw(const Dims& dims) { return memory::desc(dims, kF32, Tag::nchw); }

// A primitive with the layouts of its operands, cached per geometry and the user's
// layouts (strides) of its inputs.
struct ForwardPlan {
  dnnl::convolution_forward prim;
  Layout src, weights, dst;
  memory::desc bias;
};

struct BackwardInputPlan {
  dnnl::convolution_backward_data prim;
  Layout diff_dst, weights, diff_src;
};

struct BackwardWeightPlan {
  dnnl::convolution_backward_weights prim;
  Layout src, diff_dst, diff_weights;
  memory::desc diff_bias;
};

ForwardPlan& forward_plan(const ConvGeometry& g, const memory::desc& src_user, bool with_bias) {
  Key key('c');
  add_geometry(key, g).add(src_user).add(with_bias ? 1 : 0);
  return cached<ForwardPlan>(key, [&] {
    const ConvDims d = conv_dims(g);
    const auto pd = forward_pd(d, with_bias, g.out_channels);
    return ForwardPlan{dnnl::convolution_forward(pd), Layout(src_user, pd.src_desc(), true),
                       Layout(user_weights(d), pd.weights_desc(), true, false), Layout(plain_nchw(d.dst), pd.dst_desc(), false),
                       pd.bias_desc()};
  });
}

BackwardInputPlan& backward_input_plan(const ConvGeometry& g, const memory::desc& diff_dst_user) {
  Key key('d');
  add_geometry(key, g).add(diff_dst_user);
  return cached<BackwardInputPlan>(key, [&] {
    using B = dnnl::convolution_backward_data;
    const ConvDims d = conv_dims(g);
    const B::primitive_desc pd(B::desc(dnnl::algorithm::convolution_direct, any(d.src), any(d.weights), any(d.dst),
                                       d.strides, d.dilates, d.padding_l, d.padding_r),
                               cpu_engine(), forward_pd(d, false, g.out_channels));
    return BackwardInputPlan{B(pd), Layout(diff_dst_user, pd.diff_dst_desc(), true),
                             Layout(user_weights(d), pd.weights_desc(), true, false),
                             Layout(plain_nchw(d.src), pd.diff_src_desc(), false)};
  });
}

BackwardWeightPlan& backward_weight_plan(const ConvGeometry& g, const memory::desc& src_user,
                                         const memory::desc& diff_dst_user, bool with_bias) {
  Key key('w');
  add_geometry(key, g).add(src_user).add(diff_dst_user).add(with_bias ? 1 : 0);
  return cached<BackwardWeightPlan>(key, [&] {
    using B = dnnl::convolution_backward_weights;
    const ConvDims d = conv_dims(g);
    const auto alg = dnnl::algorithm::convolution_direct;
    const memory::desc bias({g.out_channels}, kF32, Tag::x);
    const auto desc = with_bias ? B::desc(alg, any(d.src), any(d.weights), bias, any(d.dst), d.strides, d.dilates,
                                          d.padding_l, d.padding_r)
                                : B::desc(alg, any(d.src), any(d.weights), any(d.dst), d.strides, d.dilates,
                                          d.padding_l, d.padding_r);
    const B::primitive_desc pd(desc, cpu_engine(), forward_pd(d, with_bias, g.out_channels));
    return BackwardWeightPlan{B(pd), Layout(src_user, pd.src_desc(), true),
                              Layout(diff_dst_user, pd.diff_dst_desc(), true),
                              Layout(user_weights(d), pd.diff_weights_desc(), false, false), bias};
  });
}

void backward_input(Call& call, const ConvGeometry& g, const Tensor& dy, const Tensor& w, const Tensor& dx) {
  auto& plan = backward_input_plan(g, describe(dy, 4));
  call.execute(plan.prim, {{DNNL_ARG_DIFF_DST, call.input(plan.diff_dst, dy)},
                           {DNNL_ARG_WEIGHTS, call.weights(plan.weights, w)},
                           {DNNL_ARG_DIFF_SRC, call.output(plan.diff_src, dx)}});
}

void backward_weight(Call& call, const ConvGeometry& g, const Tensor& dy, const Tensor& x, const Tensor& dw,
                     const Tensor& db) {
  auto& plan = backward_weight_plan(g, describe(x, 4), describe(dy, 4), db.defined());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, call.input(plan.src, x)},
                                       {DNNL_ARG_DIFF_DST, call.input(plan.diff_dst, dy)},
                                       {DNNL_ARG_DIFF_WEIGHTS, call.output(plan.diff_weights, dw)}};
  if (db.defined()) args.emplace(DNNL_ARG_DIFF_BIAS, memory(plan.diff_bias, cpu_engine(), db.raw_data()));
  call.execute(plan.prim, args);
}

}  // namespace

void conv2d_forward_f32(const ConvGeometry& g, const Tensor& x_in, const Tensor& weight, const Tensor& bias,
                        const Tensor& out) {
  run_dnnl("conv2d", {{"input", x_in}, {"weight", weight}, {"bias", bias}}, [&] {
    if (out.numel() == 0) return;
    const Tensor x = addressable(x_in), w = dense(weight);
    const Tensor b = bias.defined() ? dense(bias) : Tensor{};
    auto& plan = forward_plan(g, describe(x, 4), b.defined());
    Call call;
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, call.input(plan.src, x)},
                                         {DNNL_ARG_WEIGHTS, call.weights(plan.weights, w)},
                                         {DNNL_ARG_DST, call.output(plan.dst, out)}};
    if (b.defined()) args.emplace(DNNL_ARG_BIAS, memory(plan.bias, cpu_engine(), b.raw_data()));
    call.execute(plan.prim, args);
    call.finish();
  });
}

void conv2d_backward_input_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& weight,
                               const Tensor& grad_in) {
  run_dnnl("conv2d_backward_input", {{"grad_output", grad_out}, {"weight", weight}}, [&] {
    if (grad_in.numel() == 0) return;
    Call call;
    backward_input(call, g, addressable(grad_out), dense(weight), grad_in);
    call.finish();
  });
}

void conv2d_backward_weight_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& x,
                                const Tensor& grad_weight) {
  conv2d_backward_f32(g, grad_out, x, Tensor{}, {Tensor{}, grad_weight, Tensor{}});
}

void conv2d_backward_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& x, const Tensor& weight,
                         const ConvGradients& out) {
  run_dnnl("conv2d_backward", {{"grad_output", grad_out}, {"input", x}, {"weight", weight}}, [&] {
    if (g.batch == 0 || g.out_h * g.out_w == 0) {  // nothing flows back
      for (Tensor t : {out.input, out.weight, out.bias})
        if (t.defined()) t.zero_();
      return;
    }
    const Tensor dy = addressable(grad_out);
    Call call;
    if (out.input.defined()) backward_input(call, g, dy, dense(weight), out.input);
    if (out.weight.defined()) backward_weight(call, g, dy, addressable(x), out.weight, out.bias);
    call.finish();
  });
}

}  // namespace tg::kernels
