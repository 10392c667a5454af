// The one "did you mean" helper of error messages (core), shared by the optimizer and
// model registries and the optimizer options.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <tapegrad/did_you_mean.hpp>

TEST_CASE("did_you_mean: the Levenshtein distance counts insertions, deletions and substitutions") {
  CHECK(tg::edit_distance("", "") == 0);
  CHECK(tg::edit_distance("beta_1", "beta1") == 1);
  CHECK(tg::edit_distance("kitten", "sitting") == 3);
  CHECK(tg::edit_distance("adam", "") == 4);
}

TEST_CASE("did_you_mean: suggests the closest name within a third of the given length, else nothing") {
  const std::vector<std::string> names{"beta1", "beta2", "lr", "eps"};
  CHECK(tg::did_you_mean("beta_1", names) == " (did you mean 'beta1'?)");
  CHECK(tg::did_you_mean("ep", names) == " (did you mean 'eps'?)");
  CHECK(tg::did_you_mean("momentum", names).empty());
  CHECK(tg::did_you_mean("lr", {}).empty());
}
