#include <tapegrad/error.hpp>
#include <tapegrad/train/distributed.hpp>

namespace tg::train {

struct MpiSession::Impl {};

MpiSession::MpiSession() {
  fail("distributed run: tapegrad was built without MPI (install openmpi-bin and libopenmpi-dev, and configure with "
       "-DTAPEGRAD_MPI=ON)");
}
MpiSession::~MpiSession() = default;
int MpiSession::rank() const { return 0; }
int MpiSession::size() const { return 1; }
void MpiSession::set_timeout(double) {}

}  // namespace tg::train
