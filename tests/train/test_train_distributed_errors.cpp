// A distributed Trainer outside an MPI job is a clear error, whether or not tapegrad was
// built with MPI (this executable never joins a job).
#include <doctest/doctest.h>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/distributed.hpp>
#include <tapegrad/train/trainer.hpp>

#include "check_error.hpp"

TEST_CASE("Trainer: distributed without an MPI session is an error saying what to do") {
  tg::train::TrainOptions options;
  options.distributed = true;
  options.epochs = 1;
  auto net = std::make_shared<tg::nn::Linear>(3, 2);
  tg::train::Trainer trainer(net, options);
  tg::Generator gen(1);
  const tg::nn::data::Dataset data{tg::rand({8, 3}, tg::f32, &gen), tg::zeros({8}, tg::i64)};
  if (tg::train::built_with_mpi()) {
    CHECK_ERROR(trainer.fit({data, data, {}}),
                "train: a distributed run needs the MPI job: create a tg::train::MpiSession first");
  } else {
    CHECK_ERROR(trainer.fit({data, data, {}}), "train: a distributed run needs MPI, and tapegrad was built without it");
    CHECK_ERROR(tg::train::MpiSession(), "distributed run: tapegrad was built without MPI");
  }
}
