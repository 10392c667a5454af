#pragma once
// Everything of tapegrad::nn in one include.
#include "tapegrad/nn/activations.hpp"
#include "tapegrad/nn/batch_norm.hpp"
#include "tapegrad/nn/containers.hpp"
#include "tapegrad/nn/conv.hpp"
#include "tapegrad/nn/drop_connect.hpp"
#include "tapegrad/nn/dropout.hpp"
#include "tapegrad/nn/flatten.hpp"
#include "tapegrad/nn/init.hpp"
#include "tapegrad/nn/linear.hpp"
#include "tapegrad/nn/module.hpp"
#include "tapegrad/nn/pooling.hpp"
#include "tapegrad/nn/stochastic_depth.hpp"
