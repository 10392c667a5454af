// tg::dist point-to-point text messages (tests/dist/CMakeLists.txt runs them under
// `mpirun -np 2` and alone, as one rank).
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/messages.hpp>

#include "check_error.hpp"

namespace dist = tg::dist;

namespace {

// Polls until a message from source with tag is there (a few seconds at most).
dist::Message wait_for(int source, int tag) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto message = dist::try_receive(source, tag)) return *message;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FAIL("no message from rank " << source << " with tag " << tag);
  return {};
}

}  // namespace

TEST_CASE("dist send and try_receive: a text to this rank comes back with its source and tag") {
  CHECK_FALSE(dist::try_receive(dist::any_source, 7).has_value());  // nothing waiting: nothing, at once
  dist::send(dist::rank(), 7, "first");
  dist::send(dist::rank(), 8, "");
  const dist::Message empty = wait_for(dist::rank(), 8);
  CHECK(empty.text.empty());
  CHECK(empty.tag == 8);
  const dist::Message first = wait_for(dist::any_source, 7);  // in the order sent
  CHECK(first.source == dist::rank());
  CHECK(first.tag == 7);
  CHECK(first.text == "first");
  CHECK_FALSE(dist::try_receive().has_value());
  dist::barrier();
}

TEST_CASE("dist send and try_receive: every rank's text reaches rank 0, and rank 0's answer comes back") {
  const int n = dist::size();
  if (dist::rank() == 0) {
    for (int from = 1; from < n; ++from) {
      const dist::Message asked = wait_for(dist::any_source, 3);
      CHECK(asked.text == "rank " + std::to_string(asked.source));
      dist::send(asked.source, 4, "hello " + asked.text);
    }
    // Above the eager limit: the sender waits in send until this rank receives it.
    for (int from = 1; from < n; ++from) CHECK(wait_for(from, 5).text == std::string(100000, 'x'));
  } else {
    dist::send(0, 3, "rank " + std::to_string(dist::rank()));
    CHECK(wait_for(0, 4).text == "hello rank " + std::to_string(dist::rank()));
    dist::send(0, 5, std::string(100000, 'x'));
  }
  dist::barrier();
}

TEST_CASE("dist send and try_receive: a bad rank or tag is an error naming the range") {
  const int n = dist::size();
  CHECK_ERROR(dist::send(n, 0, "x"),
              "tg::dist::send: destination rank " + std::to_string(n) + " is out of range: the job has ranks 0 to " +
                  std::to_string(n - 1));
  CHECK_ERROR(dist::send(dist::any_source, 0, "x"), "tg::dist::send: destination rank -1 is out of range");
  CHECK_ERROR(dist::send(0, -1, "x"), "tg::dist::send: tag -1 is out of range: expected 0 to " +
                                          std::to_string(dist::max_tag()));
  CHECK_ERROR(dist::try_receive(n, 0), "tg::dist::try_receive: source rank " + std::to_string(n) +
                                           " is out of range: the job has ranks 0 to " + std::to_string(n - 1) +
                                           " (or tg::dist::any_source)");
  CHECK_ERROR(dist::try_receive(0, -5), "tg::dist::try_receive: tag -5 is out of range: expected 0 to");
  CHECK(dist::max_tag() >= 32767);
}

TEST_CASE("dist Outbox sends without waiting, and its texts arrive in order") {
  const int n = dist::size();
  const int to = (dist::rank() + 1) % n, from = (dist::rank() + n - 1) % n;
  {
    dist::Outbox outbox;
    std::string text = "first from " + std::to_string(dist::rank());
    outbox.send(to, 9, std::move(text));  // the outbox keeps its own copy
    outbox.send(to, 9, std::string(100000, 'y'));  // above the eager limit: in flight until received
    CHECK(wait_for(from, 9).text == "first from " + std::to_string(from));
    CHECK(wait_for(from, 9).text == std::string(100000, 'y'));
    CHECK(outbox.flush(20) == 0);
    CHECK(outbox.in_flight(to) == 0);
    CHECK(outbox.progress() == 0);
    CHECK_ERROR(outbox.send(n, 9, "x"), "tg::dist::Outbox::send: destination rank " + std::to_string(n) +
                                             " is out of range: the job has ranks 0 to " + std::to_string(n - 1));
    CHECK_ERROR(outbox.send(to, -2, "x"), "tg::dist::Outbox::send: tag -2 is out of range");
  }
  dist::barrier();
}
