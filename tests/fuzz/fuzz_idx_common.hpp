#pragma once
// What both IDX targets do with an input: read it, then convert it as the data loader
// does (f32 pixels; i64 labels from integer types).
#include <tapegrad/nn/data/idx.hpp>
#include <tapegrad/tapegrad.hpp>

#include "fuzz_support.hpp"

namespace tg::fuzz {

inline void read_and_convert_idx(const std::uint8_t* data, std::size_t size) {
  try {
    const nn::data::IdxArray array = nn::data::read_idx(write_scratch(data, size));
    if (array.numel() > 0) (void)array.value(array.numel() - 1);
    (void)array.to_tensor(f32);
    if (array.type != nn::data::IdxType::f32 && array.type != nn::data::IdxType::f64) (void)array.to_tensor(i64);
  } catch (const Error&) {
  }
}

}  // namespace tg::fuzz
