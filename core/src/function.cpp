// Custom differentiable functions (tapegrad/function.hpp): the parts shared by every
// function type. The recording follows what ops::apply does for the built-in ops
// (connect the inputs, set each output's history, save the tensors backward needs),
// with the checks a user-written forward and backward need.
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "tapegrad/function.hpp"

namespace tg {

// --- SavedValue, SavedData

std::string_view SavedValue::kind() const {
  static constexpr std::string_view names[] = {"nothing", "bool",   "int",           "double",
                                               "string",  "Shape",  "list of doubles", "list of ints"};
  return names[value_.index()];
}

double SavedValue::to_double() const {
  if (const auto* i = std::get_if<std::int64_t>(&value_)) return static_cast<double>(*i);
  return get<double>("double");
}

void SavedValue::wrong_kind(const char* wanted) const {
  fail("{}: saved_data[\"{}\"] holds {}, read as {}", function_, key_, kind(), wanted);
}

SavedValue& SavedData::operator[](std::string_view key) {
  auto it = values_.find(key);
  if (it == values_.end()) {
    it = values_.emplace(std::string(key), SavedValue{}).first;
    it->second.function_ = function_;
    it->second.key_ = std::string(key);
  }
  return it->second;
}

const SavedValue& SavedData::at(std::string_view key) const {
  auto it = values_.find(key);
  if (it != values_.end()) return it->second;
  std::string keys;
  for (const auto& [k, v] : values_) keys += (keys.empty() ? "" : ", ") + k;
  fail("{}: saved_data has no entry \"{}\" (it has: {}); forward stores it with ctx.saved_data[\"{}\"] = value",
       function_, key, keys.empty() ? "none" : keys, key);
}

// --- FunctionContext

FunctionContext::FunctionContext(const char* function, std::span<const Tensor> inputs)
    : saved_data(function), function_(function) {
  const bool grad_mode = is_grad_enabled();
  for (const Tensor& t : inputs)
    needs_input_grad_.push_back(grad_mode && t.defined() && t.requires_grad() ? 1 : 0);
}

void FunctionContext::save_for_backward(std::span<const Tensor> tensors) {
  TG_CHECK(node_ == nullptr, "{}: save_for_backward is called in forward, not in backward", function_);
  to_save_.assign(tensors.begin(), tensors.end());
}

void FunctionContext::mark_non_differentiable(std::span<const Tensor> outputs) {
  TG_CHECK(node_ == nullptr, "{}: mark_non_differentiable is called in forward, not in backward", function_);
  non_differentiable_.insert(non_differentiable_.end(), outputs.begin(), outputs.end());
}

bool FunctionContext::needs_input_grad(std::size_t i) const {
  TG_CHECK(i < needs_input_grad_.size(), "{}: needs_input_grad({}), but forward has {} tensor inputs", function_,
           i, needs_input_grad_.size());
  return needs_input_grad_[i] != 0;
}

Tensor FunctionContext::saved(std::size_t i) const {
  TG_CHECK(node_ != nullptr,
           "{}: saved({}) is for backward (and only when the call was recorded); forward has the tensors "
           "themselves",
           function_, i);
  TG_CHECK(i < saved_.size(), "{}: saved({}), but forward saved {} tensors with save_for_backward", function_, i,
           saved_.size());
  return saved_[i].defined() ? saved_[i].unpack(*node_) : Tensor{};
}

std::vector<Tensor> FunctionContext::get_saved_variables() const {
  std::vector<Tensor> out;
  out.reserve(saved_.size());
  for (std::size_t i = 0; i < saved_.size(); ++i) out.push_back(saved(i));
  return out;
}

// --- the node

namespace detail {

namespace {

bool contains_tensor(std::span<const Tensor> tensors, const Tensor& t) {
  for (const Tensor& u : tensors)
    if (u.same(t)) return true;
  return false;
}

void check_marked_outputs(const FunctionContext& ctx, std::span<const Tensor> marked,
                          std::span<const Tensor> outputs) {
  for (const Tensor& t : marked)
    TG_CHECK(t.defined() && contains_tensor(outputs, t),
             "{}: mark_non_differentiable was given a tensor{} that forward does not return; mark "
             "the output tensors themselves",
             ctx.name(), t.defined() ? fmt::format(" of shape {}", t.shape().str()) : std::string(" (undefined)"));
}

void check_outputs_finite(const FunctionContext& ctx, std::span<const Tensor> outputs) {
  if (!is_anomaly_enabled()) return;
  for (const Tensor& out : outputs)
    if (out.defined()) check_finite(out, ctx.name(), "forward");
}

// The gradients a once-differentiable backward returned under create_graph hang on
// this node: reaching it in a second backward is the error.
class OnceDifferentiableNode final : public Node {
 public:
  OnceDifferentiableNode(const char* function, std::uint32_t outputs) : function_(function) {
    num_outputs_ = outputs;
  }
  const char* name() const override { return function_; }
  TensorList apply(TensorList&&) override {
    fail("{}: backward is once-differentiable (it declares once_differentiable = true), so it cannot be "
         "differentiated again: a second derivative through it (create_graph, gradgradcheck, a Hessian) "
         "needs a backward written with tapegrad ops",
         function_);
  }

 private:
  const char* function_;
};

}  // namespace

FunctionNodeBase::FunctionNodeBase(FunctionContext&& ctx) : ctx_(std::move(ctx)) { ctx_.node_ = this; }

void FunctionNodeBase::release_saved() {
  for (SavedTensor& s : ctx_.saved_) s.release();
  ctx_.saved_data.clear();
}

void FunctionNodeBase::record(std::span<const Tensor> inputs, std::span<Tensor> outputs) {
  check_marked_outputs(ctx_, ctx_.non_differentiable_, outputs);
  connect_inputs(*this, inputs);
  num_outputs_ = static_cast<std::uint32_t>(outputs.size());
  defined_outputs_.resize(outputs.size());
  const std::shared_ptr<Node> self = shared_from_this();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    Tensor& out = outputs[i];
    if (!out.defined()) continue;
    defined_outputs_[i] = 1;
    const bool differentiable = is_floating(out.dtype()) && !contains_tensor(ctx_.non_differentiable_, out);
    // An input returned unchanged, a tensor with a history of its own or an output
    // returned twice becomes a new handle of its data: its history stays its own.
    if (contains_tensor(inputs, out) || out.requires_grad() || contains_tensor(outputs.first(i), out))
      out = out.detach();
    set_output_meta(static_cast<std::uint32_t>(i), out);
    if (differentiable) set_history(out, self, static_cast<std::uint32_t>(i));
  }
  ctx_.non_differentiable_.clear();
  ctx_.saved_.reserve(ctx_.to_save_.size());
  for (const Tensor& t : ctx_.to_save_)
    ctx_.saved_.push_back(t.defined() ? SavedTensor(t, contains_tensor(outputs, t)) : SavedTensor{});
  ctx_.to_save_.clear();
  check_outputs_finite(ctx_, outputs);
}

void FunctionNodeBase::finish_unrecorded(const FunctionContext& ctx, std::span<const Tensor> outputs) {
  check_marked_outputs(ctx, ctx.non_differentiable_, outputs);
  check_outputs_finite(ctx, outputs);
}

void FunctionNodeBase::prepare_grad_outputs(TensorList& grads) const {
  grads.resize(num_outputs());
  if (!ctx_.materialize_grads_) return;
  for (std::uint32_t i = 0; i < num_outputs(); ++i) {
    if (grads[i].defined() || !defined_outputs_[i]) continue;
    const TensorMeta& meta = output_meta(i);
    grads[i] = zeros(meta.shape, meta.dtype);
  }
}

TensorList FunctionNodeBase::finish_backward(TensorList&& input_grads, const TensorList* grad_outputs) {
  TG_CHECK(input_grads.size() == edges().size(),
           "{}: backward returned {} gradients, but forward has {} tensor inputs: return one per tensor input, "
           "in order (an undefined Tensor for an input that gets none)",
           name(), input_grads.size(), edges().size());
  if (grad_outputs == nullptr) return std::move(input_grads);
  auto node = std::allocate_shared<OnceDifferentiableNode>(pool::Allocator<OnceDifferentiableNode>{}, name(),
                                                           static_cast<std::uint32_t>(input_grads.size()));
  // Its edges lead where the true second derivative would: to the function's inputs
  // and to the incoming gradients that have a history.
  for (const Edge& e : edges()) node->edges().push_back(e);
  for (const Tensor& g : *grad_outputs)
    if (g.defined() && g.requires_grad()) node->edges().push_back(edge_to(g));
  for (std::size_t i = 0; i < input_grads.size(); ++i) {
    if (!input_grads[i].defined() || !is_floating(input_grads[i].dtype())) continue;
    input_grads[i] = input_grads[i].detach();
    set_history(input_grads[i], node, static_cast<std::uint32_t>(i));
  }
  return std::move(input_grads);
}

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string out = status == 0 && name ? std::string(name.get()) : std::string(mangled);
  // "(anonymous namespace)::ScaledSquare" reads as "ScaledSquare".
  static constexpr std::string_view anonymous = "(anonymous namespace)::";
  for (std::size_t at = out.find(anonymous); at != std::string::npos; at = out.find(anonymous))
    out.erase(at, anonymous.size());
  return out;
}

}  // namespace detail

}  // namespace tg
