#pragma once
// The safetensors file format (https://github.com/huggingface/safetensors), so that
// tapegrad tensors open in the Python ecosystem and Python-written files open here:
//   8 bytes   little-endian u64 N, the header length
//   N bytes   UTF-8 JSON {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]},
//             ..., "__metadata__": {"key": "value"}}, padded with spaces to a multiple of 8
//   the rest  the byte buffer: each tensor row-major little-endian at [b, e), offsets
//             relative to the buffer start, covering it exactly (no holes, no overlaps)
// tapegrad reads and writes the dtypes F32, F64 and I64 (its f32, f64, i64).
#include <map>
#include <string>

#include "tapegrad/tensor.hpp"

namespace tg::nn {

// Writes tensors (any strides; stored contiguously) and string metadata to path
// atomically: the bytes go to a temporary file beside path, are flushed to disk, and
// the temporary file is renamed over path, so path holds either the old file or the
// complete new one. Throws tg::Error naming path and the system error on failure
// (and removes the temporary file). A save first removes the temporary files that
// saves of dead processes (killed mid-save) left in path's folder.
void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Reads a safetensors file. Every field is validated before it is trusted (header
// length, JSON, dtypes, shapes, byte ranges covering the buffer exactly); a bad file is
// a tg::Error naming path and the problem. The "__metadata__" map goes to *metadata
// when metadata is not null.
std::map<std::string, Tensor> load_safetensors(const std::string& path,
                                               std::map<std::string, std::string>* metadata = nullptr);

}  // namespace tg::nn
