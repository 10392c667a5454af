#pragma once
// The context of a custom differentiable function (tapegrad/function.hpp): what its
// forward hands to its backward. The counterpart of ctx in torch.autograd.Function.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "tapegrad/autograd.hpp"

namespace tg {

namespace detail {
class FunctionNodeBase;
}

// One non-tensor value kept for backward in ctx.saved_data: a bool, an integer, a
// floating value, a string, a Shape, or a vector of int64 or double. Reading it as
// another kind is a tg::Error naming the function, the key and the kind it holds
// (an integer reads as a double too).
class SavedValue {
 public:
  SavedValue() = default;
  SavedValue(const SavedValue& other) = default;
  // Assigning keeps the key and function this entry belongs to (for error messages).
  SavedValue& operator=(const SavedValue& other) {
    value_ = other.value_;
    return *this;
  }
  template <class T>
    requires(!std::is_same_v<std::remove_cvref_t<T>, SavedValue>)
  SavedValue& operator=(T&& value) {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::is_same_v<U, bool>) {
      value_ = value;
    } else if constexpr (std::is_integral_v<U>) {
      value_ = static_cast<std::int64_t>(value);
    } else if constexpr (std::is_floating_point_v<U>) {
      value_ = static_cast<double>(value);
    } else if constexpr (std::is_convertible_v<T, std::string_view>) {
      value_ = std::string(std::string_view(value));
    } else if constexpr (std::is_same_v<U, Shape> || std::is_same_v<U, std::vector<double>> ||
                         std::is_same_v<U, std::vector<std::int64_t>>) {
      value_ = std::forward<T>(value);
    } else {
      static_assert(sizeof(U) == 0,
                    "saved_data holds bool, integers, floating values, strings, Shape, "
                    "std::vector<double> and std::vector<std::int64_t>; save tensors with "
                    "save_for_backward");
    }
    return *this;
  }

  bool to_bool() const { return get<bool>("bool"); }
  std::int64_t to_int() const { return get<std::int64_t>("int"); }
  double to_double() const;
  const std::string& to_string() const { return get<std::string>("string"); }
  const Shape& to_shape() const { return get<Shape>("Shape"); }
  const std::vector<double>& to_double_list() const { return get<std::vector<double>>("list of doubles"); }
  const std::vector<std::int64_t>& to_int_list() const { return get<std::vector<std::int64_t>>("list of ints"); }
  // What the entry holds: "nothing", "bool", "int", "double", "string", "Shape", ...
  std::string_view kind() const;

 private:
  friend class SavedData;
  template <class T>
  const T& get(const char* wanted) const {
    if (const T* v = std::get_if<T>(&value_)) return *v;
    wrong_kind(wanted);
  }
  [[noreturn]] void wrong_kind(const char* wanted) const;

  std::variant<std::monostate, bool, std::int64_t, double, std::string, Shape, std::vector<double>,
               std::vector<std::int64_t>>
      value_;
  const char* function_ = "";
  std::string key_;
};

// ctx.saved_data: named non-tensor values, as in LibTorch.
//   forward:  ctx.saved_data["alpha"] = alpha;
//   backward: double alpha = ctx.saved_data.at("alpha").to_double();
// at() of a key never stored is a tg::Error listing the keys there are.
class SavedData {
 public:
  explicit SavedData(const char* function) : function_(function) {}
  SavedValue& operator[](std::string_view key);
  const SavedValue& at(std::string_view key) const;
  bool contains(std::string_view key) const { return values_.find(key) != values_.end(); }
  std::size_t size() const { return values_.size(); }
  void clear() { values_.clear(); }

 private:
  const char* function_;
  std::map<std::string, SavedValue, std::less<>> values_;
};

// What forward and backward of a tg::Function see (see tapegrad/function.hpp).
class FunctionContext {
 public:
  // The function's name (its `name` member, or its class name).
  explicit FunctionContext(const char* function, std::span<const Tensor> inputs);

  // --- forward
  // The tensors backward needs (inputs, outputs or other tensors; undefined ones are
  // kept as undefined). Each remembers its version: if an in-place op changes it before
  // backward, backward is a tg::Error naming the function. A second call replaces
  // the first, as in PyTorch.
  void save_for_backward(std::span<const Tensor> tensors);
  void save_for_backward(std::initializer_list<Tensor> tensors) {
    save_for_backward(std::span<const Tensor>(tensors.begin(), tensors.size()));
  }
  // Outputs (among those forward returns) that get no gradient: they do not require
  // grad and their gradient in backward is zero (undefined without materialized
  // gradients). Integer outputs (indices) are non-differentiable anyway.
  void mark_non_differentiable(std::span<const Tensor> outputs);
  void mark_non_differentiable(std::initializer_list<Tensor> outputs) {
    mark_non_differentiable(std::span<const Tensor>(outputs.begin(), outputs.size()));
  }
  // With false, backward receives undefined tensors (not zeros) for the gradients of
  // outputs nothing used, and for non-differentiable outputs. Default true.
  void set_materialize_grads(bool on) { materialize_grads_ = on; }

  // --- forward and backward
  // Whether tensor input i (counting only tensor arguments, in order; the elements of
  // a list argument are inputs each) requires grad, i.e. backward's entry i is used.
  bool needs_input_grad(std::size_t i) const;
  std::size_t num_inputs() const { return needs_input_grad_.size(); }
  const char* name() const { return function_; }
  // Non-tensor state for backward (arguments, shapes): see SavedData.
  SavedData saved_data;

  // --- backward
  // Saved tensor i, checked against in-place changes since it was saved.
  Tensor saved(std::size_t i) const;
  // All saved tensors, in order (LibTorch's name).
  std::vector<Tensor> get_saved_variables() const;
  std::size_t num_saved() const { return saved_.size(); }

 private:
  friend class detail::FunctionNodeBase;
  const char* function_;
  SmallVector<std::uint8_t, 4> needs_input_grad_;
  std::vector<Tensor> to_save_;             // during forward
  std::vector<Tensor> non_differentiable_;  // during forward
  std::vector<SavedTensor> saved_;          // once recorded
  const Node* node_ = nullptr;              // once recorded
  bool materialize_grads_ = true;
};

}  // namespace tg
