#include "distributed_run.hpp"

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/data_parallel.hpp>
#include <tapegrad/dist/sync_batch_norm.hpp>
#include <tapegrad/error.hpp>

namespace tg::train::detail {

namespace {

class MpiRun final : public DistributedRun {
 public:
  explicit MpiRun(const nn::ModulePtr& model) : ddp_(model) {}
  int rank() const override { return dist::rank(); }
  int size() const override { return dist::size(); }
  void prepare_for_backward() override { ddp_.prepare_for_backward(); }
  void synchronize_gradients() override { ddp_.synchronize(); }
  void broadcast_buffers() override { ddp_.broadcast_buffers(); }
  void sum(std::vector<double>& values) override {
    Tensor t = from_vector(values, {static_cast<std::int64_t>(values.size())});
    dist::all_reduce(t, dist::ReduceOp::sum);
    values = t.to_vector<double>();
  }

 private:
  dist::DataParallel ddp_;
};

}  // namespace

std::unique_ptr<DistributedRun> start_distributed_run(const nn::ModulePtr& model, bool sync_batch_norm) {
  TG_CHECK(dist::is_initialized(),
           "train: a distributed run needs the MPI job: create a tg::train::MpiSession first (and start the program "
           "with mpirun)");
  if (sync_batch_norm) dist::convert_sync_batch_norm(*model);
  return std::make_unique<MpiRun>(model);
}

}  // namespace tg::train::detail
