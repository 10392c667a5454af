// The op-table sweep's table, summary and JSON, as `tapegrad gradcheck` prints them and a
// C++ program can make them (tapegrad/train/op_sweep_report.hpp).
#include <doctest/doctest.h>

#include <tapegrad/train/op_sweep_report.hpp>

#include "check_error.hpp"

using namespace tg::train;

TEST_CASE("op sweep report: the summary names wrong ops and why, the JSON turns infinities into null") {
  tg::OpSweepResult good, wrong;
  good.name = "relu";
  good.samples = 6;
  good.max_rel_error = 1e-9;
  wrong.name = "matmul";
  wrong.samples = 3;
  wrong.verdict = tg::Verdict::wrong;
  wrong.max_rel_error = 0.5;
  wrong.f32_ok = false;
  wrong.f32_max_diff = std::numeric_limits<double>::infinity();
  CHECK(op_sweep_summary({good}) == "1 op, all good");
  CHECK(op_sweep_summary({good, wrong}) == "1 of 2 ops wrong: matmul (gradient, f32 differs)");
  CHECK(any_wrong({good, wrong}));
  CHECK_FALSE(any_wrong({good}));
  const std::string table = op_sweep_table({good, wrong}, false);
  CHECK(table.rfind("op      samples  verdict  max rel err  f32 diff  f32       ms\n", 0) == 0);
  CHECK(table.find("matmul        3  wrong       5.00e-01       inf  DIFFERS") != std::string::npos);
  const auto json = to_json(wrong);
  CHECK(json.at("f32_max_diff").is_null());
  CHECK(json.at("wrong") == true);
  CHECK(select_ops({"relu", "relu"}).size() == 1);
  CHECK_ERROR(select_ops({"no_such_op"}), "no op named 'no_such_op'");
}
