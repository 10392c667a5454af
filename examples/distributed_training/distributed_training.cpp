// Data-parallel training of your own model across the ranks of an MPI job, with public
// headers only (docs/distributed.md):
//   mpirun -np 2 build/distributed_training OUTPUT_DIR [TRAIN_SAMPLES [EPOCHS]]   (defaults 10000 and 2)
// Every rank runs this same program on the same data. The Trainer shards each epoch
// among the ranks, averages the gradients during backward, shares the evaluation, and
// lets rank 0 alone write checkpoints; rank 0 prints. Exit status 0 when the test
// accuracy is above 0.6.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/train.hpp>

namespace nn = tg::nn;
namespace train = tg::train;

// 1x28x28 -> conv 16 -> BatchNorm -> ReLU -> pool -> linear 3136-10.
nn::ModulePtr small_cnn() {
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Conv2d>(1, 16, 3, tg::Conv2dOptions{.padding = 1}));
  net->push_back(std::make_shared<nn::BatchNorm2d>(16));
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::MaxPool2d>(2));
  net->push_back(std::make_shared<nn::Flatten>());
  net->push_back(std::make_shared<nn::Linear>(16 * 14 * 14, 10));
  return net;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mpirun -np N %s OUTPUT_DIR [TRAIN_SAMPLES [EPOCHS]]\n", argv[0]);
    return 2;
  }
  try {
    train::MpiSession mpi;  // joins the job mpirun started (alone: a job of one rank)
    const std::string out = argv[1];
    const std::int64_t samples = argc > 2 ? std::atoll(argv[2]) : 10000;
    const std::int64_t epochs = argc > 3 ? std::atoll(argv[3]) : 2;

    train::TrainData data = train::load_fashion_mnist_data("", 1000, /*seed=*/1, "distributed_training", true);
    data.train = train::first_samples(data.train, samples);

    tg::manual_seed(1);  // every rank builds the same model (rank 0's is broadcast anyway)
    train::Trainer trainer(small_cnn(), {.epochs = epochs,
                                         .batch_size = 32,  // per rank
                                         .optimizer = "adamw",
                                         .augmentation = {.flip_probability = 0.5},
                                         .checkpoint_dir = out,
                                         .run_name = "small_cnn",
                                         .distributed = true});
    if (mpi.rank() == 0) {
      std::printf("distributed_training: %d ranks, global batch %d, %lld training images\n", mpi.size(),
                  32 * mpi.size(), static_cast<long long>(data.train.size()));
      trainer.add_callback(std::make_shared<train::EpochTable>(stdout));
    }
    const train::TrainResult result = trainer.fit(data);
    if (mpi.rank() != 0) return 0;
    std::printf("test accuracy %.4f; best checkpoint %s\n", result.test.accuracy, result.checkpoint.c_str());
    const bool ok = result.test.accuracy > 0.6;
    std::printf("distributed_training: %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "distributed_training: %s\n", error.what());
    return 1;
  }
}
