#pragma once
// The HTML page of the initialization experiment (init_experiment.hpp, after CS231n
// lecture 6): for each activation (sigmoid, tanh, ReLU) the std of the activations per
// layer for every initialization, then per initialization (std 1, std 0.01, Xavier, He)
// the histograms of the 5 layers' activations on one shared x range (sigmoid [0, 1],
// tanh [-1, 1], ReLU [0, the largest value of the 5 layers]), so that a collapse to 0 or
// a pile-up at the bounds shows as it does in the lecture's figures; and the table of
// mean, std and fractions saturated and zero.
#include <cstdint>

#include <tapegrad/train/diagnostics/init_experiment.hpp>

#include <tapegrad/train/report/report.hpp>

namespace tg::train {

// The experiment with these layers, units, inputs and seed (its init and activation are
// varied over all of them).
report::Report init_experiment_report(const InitExperiment& base);

}  // namespace tg::train
