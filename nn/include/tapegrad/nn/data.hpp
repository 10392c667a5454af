#pragma once
// Everything of tapegrad's data loading in one include (namespace tg::nn::data).
#include "tapegrad/nn/data/augment.hpp"
#include "tapegrad/nn/data/dataset.hpp"
#include "tapegrad/nn/data/idx.hpp"
#include "tapegrad/nn/data/loader.hpp"
#include "tapegrad/nn/data/normalization.hpp"
#include "tapegrad/nn/data/permutation.hpp"
#include "tapegrad/nn/data/split.hpp"
