#include <tapegrad/train/search/workers.hpp>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <iostream>
#include <map>
#include <thread>
#include <utility>

#include <tapegrad/error.hpp>

#include "search/worker_messages.hpp"

extern char** environ;

namespace tg::train::search {

namespace {

void send_line(std::ostream& out, const nlohmann::json& message) { out << message.dump() << '\n' << std::flush; }

pid_t spawn(const std::string& executable, const std::vector<std::string>& arguments, int socket) {
  std::vector<std::string> argv_storage{executable};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, socket, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, socket, STDOUT_FILENO);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  TG_CHECK(error == 0, "search: cannot start a worker ('{}'): {}", executable, std::strerror(error));
  return pid;
}

// The test hook of workers.hpp: TAPEGRAD_TEST_WORKER_HANG=STAGE:TRIAL.
bool test_hang_requested(const TrialSpec& spec) {
  const char* hook = std::getenv("TAPEGRAD_TEST_WORKER_HANG");
  int stage = 0, trial = 0;
  return hook != nullptr && std::sscanf(hook, "%d:%d", &stage, &trial) == 2 && stage == spec.stage &&
         trial == spec.trial;
}

// Waits until the process has ended; one that has not ended by `deadline` is killed.
void reap(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  int status = 0;
  for (;;) {
    const pid_t ended = ::waitpid(pid, &status, WNOHANG);
    if (ended == pid || (ended < 0 && errno != EINTR)) return;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

int serve_trials(std::istream& in, std::ostream& out,
                 const std::function<TrialFunction(const nlohmann::json& setup)>& make_trial) {
  std::string line;
  if (!std::getline(in, line)) return 0;
  auto built = build_trial([&] { return make_trial(nlohmann::json::parse(line).at("setup")); });
  if (const auto* failure = std::get_if<nlohmann::json>(&built)) {
    send_line(out, *failure);
    return 2;
  }
  const TrialFunction& trial = std::get<TrialFunction>(built);
  while (std::getline(in, line)) {
    const nlohmann::json answer = trial_answer([&] {
      const TrialSpec spec = trial_spec_from_json(nlohmann::json::parse(line).at("trial"));
      while (test_hang_requested(spec)) ::pause();
      return trial(spec);
    });
    send_line(out, answer);
    if (answer.contains("error")) return 2;
  }
  return 0;
}

WorkerPool::WorkerPool(int workers, const nlohmann::json& setup, const std::string& executable,
                       const std::vector<std::string>& arguments, TrialTimeLimit time_limit,
                       std::function<void(const std::string&)> warn)
    : setup_(setup), executable_(executable), arguments_(arguments), time_limit_(time_limit), warn_(std::move(warn)) {
  TG_CHECK(workers >= 1, "search: --workers must be at least 1, got {}", workers);
  time_limit_.validate();
  if (!warn_) warn_ = [](const std::string& message) { fmt::print(stderr, "warning: {}\n", message); };
  for (int i = 0; i < workers; ++i) workers_.push_back(start_worker());
}

WorkerPool::Worker WorkerPool::start_worker() {
  int sockets[2];
  // CLOEXEC on both ends: the child keeps only the copies dup2'd onto its stdin/stdout.
  TG_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) == 0,
           "search: cannot create a worker's socket: {}", std::strerror(errno));
  Worker worker;
  worker.socket = sockets[0];
  try {
    worker.pid = spawn(executable_, arguments_, sockets[1]);
  } catch (...) {
    ::close(sockets[0]);
    ::close(sockets[1]);
    throw;
  }
  ::close(sockets[1]);
  try {
    send(worker, {{"setup", setup_}});
  } catch (...) {
    ::kill(worker.pid, SIGKILL);
    reap(worker.pid, Clock::now());
    ::close(worker.socket);
    throw;
  }
  return worker;
}

void WorkerPool::kill_worker(Worker& worker) {
  ::kill(worker.pid, SIGKILL);  // ends a stopped process too
  reap(worker.pid, Clock::now());
  ::close(worker.socket);
  worker = Worker{};  // no process: the destructor skips it
}

WorkerPool::~WorkerPool() {
  const bool unwinding = std::uncaught_exceptions() > 0;
  for (Worker& worker : workers_) {
    if (unwinding && worker.pid > 0) ::kill(worker.pid, SIGTERM);
    if (worker.socket >= 0) ::close(worker.socket);
  }
  // Idle workers exit at the end of their input at once; one still there after 2 s is
  // stopped or stuck, and killing an idle worker loses nothing.
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  for (Worker& worker : workers_)
    if (worker.pid > 0) reap(worker.pid, deadline);  // else reaped already
}

void WorkerPool::send(Worker& worker, const nlohmann::json& message) {
  const std::string line = message.dump() + "\n";
  std::size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = ::send(worker.socket, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_ended(worker);
    sent += static_cast<std::size_t>(n);
  }
}

std::string WorkerPool::describe_end(Worker& worker) {
  int status = 0;
  pid_t ended = 0;
  while ((ended = ::waitpid(worker.pid, &status, 0)) < 0 && errno == EINTR) {
  }
  std::string how = "ended";
  if (ended == worker.pid && WIFEXITED(status)) how = fmt::format("exited with status {}", WEXITSTATUS(status));
  if (ended == worker.pid && WIFSIGNALED(status)) how = fmt::format("was killed by signal {}", WTERMSIG(status));
  worker.pid = ended == worker.pid ? -1 : worker.pid;
  if (worker.running)
    return fmt::format("the worker running stage {} trial {} {}", worker.running->stage, worker.running->trial, how);
  return fmt::format("a worker {} before it was given a trial", how);
}

void WorkerPool::throw_if_error(const Worker& worker, const nlohmann::json& message) {
  throw_if_error_answer(message, worker.running ? &*worker.running : nullptr, "a worker");
}

void WorkerPool::fail_ended(Worker& worker) {
  // A worker that fails says why in its last line before it exits; that line may still
  // be unread when a send to it fails.
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::recv(worker.socket, buffer, sizeof buffer, 0)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) worker.received.append(buffer, static_cast<std::size_t>(n));
  std::string::size_type end = 0;
  while ((end = worker.received.find('\n')) != std::string::npos) {
    const auto message = nlohmann::json::parse(worker.received.substr(0, end), nullptr, false);
    worker.received.erase(0, end + 1);
    if (!message.is_discarded()) throw_if_error(worker, message);
  }
  fail("search: {}", describe_end(worker));
}

std::vector<std::string> WorkerPool::receive(Worker& worker) {
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::recv(worker.socket, buffer, sizeof buffer, 0)) < 0 && errno == EINTR) {
  }
  if (n == 0) fail_ended(worker);
  TG_CHECK(n > 0, "search: reading from a worker failed: {}", std::strerror(errno));
  worker.received.append(buffer, static_cast<std::size_t>(n));
  std::vector<std::string> lines;
  std::string::size_type end = 0;
  while ((end = worker.received.find('\n')) != std::string::npos) {
    lines.push_back(worker.received.substr(0, end));
    worker.received.erase(0, end + 1);
  }
  return lines;
}

void WorkerPool::run(const std::vector<TrialSpec>& specs, const std::function<void(const TrialResult&)>& on_finished) {
  std::deque<TrialSpec> waiting(specs.begin(), specs.end());
  std::size_t running = 0;
  double slowest = 0;  // seconds of the slowest trial finished in this call (one stage)
  std::map<std::pair<int, int>, pid_t> stuck_once;  // (stage, trial) -> the pid of the worker it got stuck in
  const auto hand_out = [&](Worker& worker) {
    if (waiting.empty()) return;
    worker.running = waiting.front();
    waiting.pop_front();
    worker.started = Clock::now();
    send(worker, {{"trial", to_json(*worker.running)}});
    ++running;
  };
  // In seconds, as doubles: a limit of any size cannot overflow a time_point.
  const auto seconds_left = [&](const Worker& worker) {
    return time_limit_.for_trial(*worker.running, slowest) -
           std::chrono::duration<double>(Clock::now() - worker.started).count();
  };
  for (Worker& worker : workers_) hand_out(worker);

  while (running > 0) {
    std::vector<pollfd> polled;
    std::vector<Worker*> busy;
    double wait = INFINITY;
    for (Worker& worker : workers_)
      if (worker.running) {
        polled.push_back({worker.socket, POLLIN, 0});
        busy.push_back(&worker);
        wait = std::min(wait, seconds_left(worker));
      }
    const int timeout_ms = static_cast<int>(std::clamp(std::ceil(wait * 1000), 0.0, static_cast<double>(INT_MAX)));
    if (::poll(polled.data(), polled.size(), timeout_ms) < 0) {
      TG_CHECK(errno == EINTR, "search: waiting for the workers failed: {}", std::strerror(errno));
      continue;
    }
    for (std::size_t i = 0; i < polled.size(); ++i) {
      if (polled[i].revents == 0) continue;
      Worker& worker = *busy[i];
      for (const std::string& line : receive(worker)) {
        const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
        TG_CHECK(message.is_object() && (message.contains("result") || message.contains("error")),
                 "search: the worker running stage {} trial {} sent a line that is not a result: '{}'",
                 worker.running->stage, worker.running->trial, line);
        throw_if_error(worker, message);
        const TrialResult result = trial_result_from_json(message.at("result"));
        slowest = std::max(slowest, std::chrono::duration<double>(Clock::now() - worker.started).count());
        worker.running.reset();
        --running;
        on_finished(result);
        hand_out(worker);
      }
    }
    for (Worker& worker : workers_) {
      if (!worker.running || seconds_left(worker) > 0) continue;
      const TrialSpec spec = *worker.running;
      const double limit = time_limit_.for_trial(spec, slowest);
      const std::pair<int, int> key{spec.stage, spec.trial};
      const auto before = stuck_once.find(key);
      const pid_t pid = worker.pid;
      kill_worker(worker);
      const std::string what = fmt::format(
          "the worker (pid {}) running stage {} trial {} passed the trial time limit of {:g} s (--trial-timeout) and "
          "was killed",
          pid, spec.stage, spec.trial, limit);
      if (before != stuck_once.end())
        fail("search: {}; the trial was stuck before too (in the worker pid {}), so the search stops; the results "
             "file keeps the finished trials, and the same command resumes",
             what, before->second);
      stuck_once.emplace(key, pid);
      --running;
      worker = start_worker();
      warn_(fmt::format("search: {}; the trial runs once more, in a new worker (pid {})", what, worker.pid));
      waiting.push_front(spec);
      hand_out(worker);
    }
  }
}

}  // namespace tg::train::search
