#pragma once
// Gradient check of a module's parameters (tapegrad/gradcheck.hpp on a whole model): the
// loss of module(batch.images) is differentiated by the module's own backward and
// compared with centered differences in f64, parameter by parameter, and the table names
// each parameter ("features.0.weight").
//
// The check runs on f64 copies of the module's parameters and buffers swapped into the
// module (Tensor::set_data), so the caller's module ends exactly as it began: its
// tensors (the very storages, dtypes and .grad()s), its train/eval modes and every random
// stream it draws from. Every evaluation replays the same random streams, so Dropout,
// DropConnect and StochasticDepth draw the same masks each time (their own generators
// too); BatchNorm normalizes as options.batch_norm says, and the report states it.
// A parameter the loss does not reach (detached, in a layer the forward skips, a branch
// StochasticDepth dropped for the whole batch) is `unused` and fails the check unless
// options.check.allow_unused.
#include <functional>
#include <string>
#include <vector>

#include "tapegrad/gradcheck.hpp"
#include "tapegrad/nn/data/loader.hpp"
#include "tapegrad/nn/module.hpp"

namespace tg::nn {

// The scalar checked: from the module's output (f64) and the batch (images f64, floating
// targets f64, class labels as given).
using ModuleLoss = std::function<Tensor(const Tensor& output, const data::Batch& batch)>;
// Mean softmax cross-entropy for i64 class labels, mean squared error for floating targets.
ModuleLoss default_module_loss();

enum class ModuleMode {
  as_is,  // each submodule keeps its current train/eval mode
  train,  // train mode: random masks drawn (and replayed)
  eval,   // eval mode: no masks
};

enum class BatchNormStatistics {
  follow_mode,  // as the BatchNorm's mode (after options.mode) says
  batch,        // the batch's mean and variance (train mode; running statistics are restored)
  running,      // the running statistics (eval mode): constants, so each example is independent
};

// gradcheck options for a model: kinks allowed (ReLU, max pooling) and 20 coordinates
// per parameter.
GradcheckOptions module_gradcheck_defaults();

// Checked when the check starts (tg::Error naming the option), as well as check's own.
struct ModuleGradcheckOptions {
  // Dotted names of the parameters to check (each must exist and require grad); empty:
  // every parameter that requires grad.
  std::vector<std::string> parameters;
  ModuleMode mode = ModuleMode::as_is;
  BatchNormStatistics batch_norm = BatchNormStatistics::follow_mode;
  GradcheckOptions check = module_gradcheck_defaults();  // max_coords_per_input is per parameter
};

// loss empty: default_module_loss(). The report's inputs are the checked parameters, in
// named_parameters() order, with their names; its notes state the modes used.
GradcheckReport gradcheck_module(Module& module, const ModuleLoss& loss, const data::Batch& batch,
                                 const ModuleGradcheckOptions& options = {});

// The general form: objective(module) computes the scalar checked, however the module is
// called (several inputs, several calls, a loss of its own). During the check the
// module's tensors are f64, so the inputs objective feeds it must be f64 too. The same
// copies, replayed streams, modes and report as above.
using ModuleObjective = std::function<Tensor(Module& module)>;
GradcheckReport gradcheck_module(Module& module, const ModuleObjective& objective,
                                 const ModuleGradcheckOptions& options = {});

}  // namespace tg::nn
