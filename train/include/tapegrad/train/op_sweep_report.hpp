#pragma once
// The sweep of the op table behind `tapegrad gradcheck`, with its text and JSON forms:
// every op (or the named ones) gradchecked in f64, optionally gradgradchecked, and its f32
// result compared with f64 (tg::sweep_op); a table with one row per op and a summary line.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tapegrad/ops/op_sweep.hpp>

namespace tg::train {

// The entries of the named ops, each once, in the order given (all of the table when
// names is empty). An unknown name is an error listing the table.
std::vector<const OpTableEntry*> select_ops(const std::vector<std::string>& names);

// "op  samples  verdict  max rel err  [gradgrad  gradgrad err]  f32 diff  f32  ms": the
// header and one row per result, columns as wide as their widest cell.
std::string op_sweep_table(const std::vector<OpSweepResult>& results, bool gradgrad);

// "107 ops, all good", "... none wrong; suspicious: a, b", or "2 of 107 wrong: x (gradient); y (f32 differs)".
std::string op_sweep_summary(const std::vector<OpSweepResult>& results);

// Non-finite differences (a result of the wrong shape or dtype, or NaN) become null.
nlohmann::ordered_json to_json(const OpSweepResult& result);

// Whether any result is wrong (the command's exit status 1).
bool any_wrong(const std::vector<OpSweepResult>& results);

}  // namespace tg::train
