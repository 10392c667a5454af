#pragma once
// Custom differentiable functions: the C++ counterpart of torch.autograd.Function
// (and of LibTorch's torch::autograd::Function). docs/custom_functions.md is the
// tutorial. A function is a struct deriving from tg::Function<Self> with two static
// members:
//
//   struct ScaledSquare : tg::Function<ScaledSquare> {
//     static constexpr const char* name = "scaled_square";  // optional: errors name it
//     // y = alpha * x^2
//     static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& x, double alpha) {
//       ctx.save_for_backward({x});
//       ctx.saved_data["alpha"] = alpha;
//       return alpha * x * x;
//     }
//     static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& grad_outputs) {
//       const tg::Tensor x = ctx.saved(0);
//       return {grad_outputs[0] * (2 * ctx.saved_data.at("alpha").to_double()) * x};
//     }
//   };
//   tg::Tensor y = ScaledSquare::apply(x, 2.0);
//
// forward(ctx, args...)
//   takes any arguments. Its tensor inputs are its Tensor arguments and the elements
//   of its tensor-list arguments (std::vector<Tensor>, std::array<Tensor, N>,
//   std::span<const Tensor>, TensorList), in order; other arguments (numbers, options)
//   get no gradient and are kept for backward in ctx.saved_data (or recomputed).
//   It runs with grad mode off (nothing inside is recorded) and returns a Tensor or
//   several (std::vector<Tensor>, std::array<Tensor, N>, TensorList); apply returns
//   the same. When grad mode is on and a tensor input requires grad, apply records one
//   node: each floating output not marked non-differentiable requires grad and has
//   the function as its grad_fn. An output that is an input (returned unchanged) is
//   returned as a new handle of the same data, so the input's own history is kept.
// backward(ctx, grad_outputs)
//   grad_outputs: one gradient per output of forward (zeros for an output nothing
//   used or that is non-differentiable; undefined after ctx.set_materialize_grads(false)).
//   The parameter may be a TensorList or a std::vector<Tensor>. Returns one gradient
//   per tensor input, in order (std::vector<Tensor>, TensorList, or one Tensor when
//   there is one tensor input); an undefined Tensor for an input that gets none
//   (ctx.needs_input_grad(i) tells which are wanted). Unlike LibTorch, non-tensor
//   arguments have no entry. A wrong count is a tg::Error naming the function; a
//   gradient of the wrong shape or dtype is one too (the engine checks every gradient).
//   Written with tapegrad ops, backward is itself recorded under create_graph, so
//   second derivatives (tg::grad with create_graph, gradgradcheck, Hessians) work.
// once_differentiable
//   A backward written with raw loops over the data is not differentiable. It says so
//   with `static constexpr bool once_differentiable = true;`: it then runs with grad
//   mode off, and taking a second derivative through it is a tg::Error
//   ("<name>: backward is once-differentiable ...") when that derivative is computed,
//   never a silent zero. A raw-loop backward that does not declare it gives gradients
//   without history: their second derivative would be missing.
// name
//   Optional `static constexpr const char* name`; without it errors use the class name.
//
// In-place outputs (PyTorch's mark_dirty) are not supported: forward returns new tensors.
#include <array>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "tapegrad/autograd.hpp"
#include "tapegrad/function_context.hpp"
#include "tapegrad/memory_pool.hpp"

namespace tg {

namespace detail {

// The node recorded for one call of a custom function: its context (saved tensors,
// saved_data, needs_input_grad) and the code shared by every function type.
class FunctionNodeBase : public Node {
 public:
  explicit FunctionNodeBase(FunctionContext&& ctx);
  const char* name() const override { return ctx_.name(); }
  void release_saved() override;

  // After forward: connects the inputs, gives each differentiable output its history
  // and turns the tensors save_for_backward kept into SavedTensors.
  void record(std::span<const Tensor> inputs, std::span<Tensor> outputs);
  // After an unrecorded forward: the same checks of marked outputs and anomalies.
  static void finish_unrecorded(const FunctionContext& ctx, std::span<const Tensor> outputs);

 protected:
  // Before backward: one gradient per output, zeros for the missing ones.
  void prepare_grad_outputs(TensorList& grads) const;
  // After backward: checks the count; for a once-differentiable backward run under
  // create_graph (grad_outputs non-null), gives the gradients a node that refuses to
  // be differentiated.
  TensorList finish_backward(TensorList&& input_grads, const TensorList* grad_outputs);

  FunctionContext ctx_;

 private:
  SmallVector<std::uint8_t, 2> defined_outputs_;
};

std::string demangle(const char* mangled);

template <class T>
concept TensorRange = std::ranges::input_range<T> && std::same_as<std::ranges::range_value_t<T>, Tensor>;

template <class T>
void collect_tensor_inputs(SmallVector<Tensor, 4>& inputs, const T& arg) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::same_as<U, Tensor>) {
    inputs.push_back(arg);
  } else if constexpr (std::same_as<U, std::optional<Tensor>>) {
    inputs.push_back(arg ? *arg : Tensor{});
  } else if constexpr (TensorRange<U>) {
    for (const Tensor& t : arg) inputs.push_back(t);
  }
}

template <class Out>
std::span<Tensor> output_span(Out& out) {
  if constexpr (std::same_as<Out, Tensor>) {
    return std::span<Tensor>(&out, 1);
  } else {
    static_assert(TensorRange<Out>,
                  "tg::Function: forward must return a Tensor, std::vector<Tensor>, "
                  "std::array<Tensor, N> or tg::TensorList");
    return std::span<Tensor>(out.begin(), out.size());
  }
}

template <class R>
TensorList to_tensor_list(R&& r) {
  using U = std::remove_cvref_t<R>;
  if constexpr (std::same_as<U, TensorList>) {
    return std::forward<R>(r);
  } else if constexpr (std::convertible_to<R, Tensor>) {
    TensorList out;
    out.push_back(std::forward<R>(r));
    return out;
  } else {
    static_assert(TensorRange<U>,
                  "tg::Function: backward must return a std::vector<Tensor>, a TensorList or "
                  "(for one tensor input) a Tensor");
    TensorList out;
    for (auto&& t : r) out.push_back(t);
    return out;
  }
}

template <class F>
const char* function_name() {
  if constexpr (requires {
                  { F::name } -> std::convertible_to<const char*>;
                }) {
    return F::name;
  } else {
    static const std::string name = demangle(typeid(F).name());
    return name.c_str();
  }
}

template <class F>
constexpr bool is_once_differentiable() {
  if constexpr (requires { F::once_differentiable; }) {
    return F::once_differentiable;
  } else {
    return false;
  }
}

template <class F>
class FunctionNode final : public FunctionNodeBase {
 public:
  using FunctionNodeBase::FunctionNodeBase;
  TensorList apply(TensorList&& grads) override {
    prepare_grad_outputs(grads);
    if constexpr (is_once_differentiable<F>()) {
      // Under create_graph grad mode is on: the gradients then get a node that
      // refuses a second derivative.
      const bool second_order_possible = is_grad_enabled();
      TensorList input_grads;
      {
        NoGradGuard no_grad;
        input_grads = call_backward(grads);
      }
      return finish_backward(std::move(input_grads), second_order_possible ? &grads : nullptr);
    } else {
      return finish_backward(call_backward(std::move(grads)), nullptr);
    }
  }

 private:
  TensorList call_backward(TensorList grads) {
    if constexpr (requires { F::backward(ctx_, grads); }) {
      return to_tensor_list(F::backward(ctx_, std::move(grads)));
    } else {
      std::vector<Tensor> list(grads.begin(), grads.end());
      return to_tensor_list(F::backward(ctx_, std::move(list)));
    }
  }
};

}  // namespace detail

// The base of a custom function Self (CRTP): gives it apply(args...), which runs
// Self::forward and records Self::backward. See the top of this header.
template <class Self>
struct Function {
  template <class... Args>
  static auto apply(Args&&... args) {
    SmallVector<Tensor, 4> inputs;
    (detail::collect_tensor_inputs(inputs, args), ...);
    const std::span<const Tensor> input_span(inputs.begin(), inputs.size());
    FunctionContext ctx(detail::function_name<Self>(), input_span);
    using Out = std::remove_cvref_t<decltype(Self::forward(ctx, std::forward<Args>(args)...))>;
    Out out = [&] {
      NoGradGuard no_grad;
      return Self::forward(ctx, std::forward<Args>(args)...);
    }();
    const std::span<Tensor> outputs = detail::output_span(out);
    if (any_requires_grad(input_span)) {
      auto node = std::allocate_shared<detail::FunctionNode<Self>>(pool::Allocator<detail::FunctionNode<Self>>{},
                                                                   std::move(ctx));
      node->record(input_span, outputs);
    } else {
      detail::FunctionNodeBase::finish_unrecorded(ctx, outputs);
    }
    return out;
  }
};

}  // namespace tg
