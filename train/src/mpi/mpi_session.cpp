#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/train/distributed.hpp>

namespace tg::train {

struct MpiSession::Impl {
  dist::Environment environment;
};

MpiSession::MpiSession() : impl_(std::make_unique<Impl>()) {}
MpiSession::~MpiSession() = default;
int MpiSession::rank() const { return dist::rank(); }
int MpiSession::size() const { return dist::size(); }
void MpiSession::set_timeout(double seconds) { dist::set_timeout(seconds); }

}  // namespace tg::train
