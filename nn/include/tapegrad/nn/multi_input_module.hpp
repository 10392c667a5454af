#pragma once
// MultiInputModule<Self>: the base of a module whose forward takes several tensors.
// The module writes forward with the parameters it needs, as in PyTorch:
//
//   class Siamese : public tg::nn::MultiInputModule<Siamese> {
//    public:
//     Tensor forward(const Tensor& a, const Tensor& b) { ... }
//     std::string type_name() const override { return "Siamese"; }
//   };
//   auto net = std::make_shared<Siamese>();
//   Tensor y = (*net)(a, b);          // static call; (*net)(a) does not compile
//   tg::nn::ModulePtr any = net;
//   Tensor z = (*any)(a, b);          // one virtual call; (*any)(a) throws
//                                     // "Siamese(): forward takes 2 inputs, given 1"
//
// The input counts forward takes (1 to kMaxForwardInputs, several overloads allowed) are
// found at compile time; forward_inputs dispatches on the count and forward_arities lists
// them. Why a base class template and not a virtual forward per count: see module.hpp.
// Compilers that warn about hidden virtual functions (clang's -Woverloaded-virtual)
// note that forward(a, b) hides Module::forward(x): that is what makes the one-input
// call a compile error. Do not bring Module::forward back with a using-declaration
// (the one-input form would then count as written and its error would say "not
// implemented"); override forward(const Tensor&) when one input is meant.
#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "tapegrad/nn/module.hpp"

namespace tg::nn {

inline constexpr std::size_t kMaxForwardInputs = 8;

namespace detail {

template <std::size_t>
using TensorArgument = const Tensor&;

template <class M, class Indices>
inline constexpr bool forward_takes_v = false;

template <class M, std::size_t... I>
inline constexpr bool forward_takes_v<M, std::index_sequence<I...>> = requires(M& m) {
  { m.forward(std::declval<TensorArgument<I>>()...) } -> std::convertible_to<Tensor>;
};

}  // namespace detail

template <class Self>
class MultiInputModule : public Module {
 public:
  // True when Self's forward takes n tensors.
  template <std::size_t n>
  static constexpr bool takes() {
    return detail::forward_takes_v<Self, std::make_index_sequence<n>>;
  }

  // Only for the input counts forward takes: any other count does not compile.
  template <class... Inputs>
    requires(sizeof...(Inputs) >= 1 && (std::is_convertible_v<const Inputs&, const Tensor&> && ...) &&
             takes<sizeof...(Inputs)>())
  Tensor operator()(const Inputs&... inputs) {
    return static_cast<Self&>(*this).forward(static_cast<const Tensor&>(inputs)...);
  }

  Tensor forward_inputs(std::span<const Tensor> inputs) override {
    return dispatch(inputs, std::make_index_sequence<kMaxForwardInputs + 1>{});
  }

  std::vector<std::size_t> forward_arities() const override {
    return arities(std::make_index_sequence<kMaxForwardInputs + 1>{});
  }

 private:
  template <std::size_t... I>
  Tensor call(std::span<const Tensor> inputs, std::index_sequence<I...>) {
    return static_cast<Self&>(*this).forward(inputs[I]...);
  }

  template <std::size_t n>
  bool try_call(std::span<const Tensor> inputs, Tensor& out) {
    if constexpr (n >= 1 && takes<n>()) {
      if (inputs.size() == n) {
        out = call(inputs, std::make_index_sequence<n>{});
        return true;
      }
    }
    return false;
  }

  template <std::size_t... n>
  Tensor dispatch(std::span<const Tensor> inputs, std::index_sequence<n...>) {
    Tensor out;
    if ((try_call<n>(inputs, out) || ...)) return out;
    fail_forward_arity(inputs.size());
  }

  template <std::size_t... n>
  static std::vector<std::size_t> arities(std::index_sequence<n...>) {
    std::vector<std::size_t> out;
    ((n >= 1 && takes<n>() ? out.push_back(n) : void()), ...);
    return out;
  }
};

}  // namespace tg::nn
