#include "workers.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <iostream>

#include <tapegrad/error.hpp>

extern char** environ;

namespace tg::apps::search {

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

}  // namespace

int serve_trials(std::istream& in, std::ostream& out,
                 const std::function<TrialFunction(const nlohmann::json& setup)>& make_trial) {
  std::string line;
  if (!std::getline(in, line)) return 0;
  TrialFunction trial;
  try {
    trial = make_trial(nlohmann::json::parse(line).at("setup"));
  } catch (const std::exception& e) {
    send_line(out, {{"error", e.what()}, {"setup", true}});
    return 2;
  }
  try {
    while (std::getline(in, line)) {
      const TrialSpec spec = trial_spec_from_json(nlohmann::json::parse(line).at("trial"));
      send_line(out, {{"result", to_json(trial(spec))}});
    }
    return 0;
  } catch (const tg::Error& e) {
    send_line(out, {{"error", e.what()}});
  } catch (const std::exception& e) {
    send_line(out, {{"error", fmt::format("internal error in a search worker: {}", e.what())}});
  }
  return 2;
}

WorkerPool::WorkerPool(int workers, const nlohmann::json& setup, const std::string& executable,
                       const std::vector<std::string>& arguments) {
  TG_CHECK(workers >= 1, "search: --workers must be at least 1, got {}", workers);
  for (int i = 0; i < workers; ++i) {
    int sockets[2];
    // CLOEXEC on both ends: the child keeps only the copies dup2'd onto its stdin/stdout.
    TG_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) == 0,
             "search: cannot create a worker's socket: {}", std::strerror(errno));
    Worker worker;
    worker.socket = sockets[0];
    try {
      worker.pid = spawn(executable, arguments, sockets[1]);
    } catch (...) {
      ::close(sockets[0]);
      ::close(sockets[1]);
      throw;
    }
    ::close(sockets[1]);
    workers_.push_back(worker);
    send(workers_.back(), {{"setup", setup}});
  }
}

WorkerPool::~WorkerPool() {
  const bool unwinding = std::uncaught_exceptions() > 0;
  for (Worker& worker : workers_) {
    if (unwinding && worker.pid > 0) ::kill(worker.pid, SIGTERM);
    ::close(worker.socket);
  }
  for (Worker& worker : workers_) {
    if (worker.pid <= 0) continue;  // reaped already
    int status = 0;
    while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
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
  if (!message.contains("error")) return;
  const std::string error = message.at("error").get<std::string>();
  if (message.contains("setup") || !worker.running) fail("search: a worker could not start: {}", error);
  fail("stage {} trial {}: {}", worker.running->stage, worker.running->trial, error);
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
  std::size_t next = 0, running = 0;
  const auto hand_out = [&](Worker& worker) {
    if (next == specs.size()) return;
    worker.running = specs[next++];
    send(worker, {{"trial", to_json(*worker.running)}});
    ++running;
  };
  for (Worker& worker : workers_) hand_out(worker);

  while (running > 0) {
    std::vector<pollfd> polled;
    std::vector<Worker*> busy;
    for (Worker& worker : workers_)
      if (worker.running) {
        polled.push_back({worker.socket, POLLIN, 0});
        busy.push_back(&worker);
      }
    if (::poll(polled.data(), polled.size(), -1) < 0) {
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
        worker.running.reset();
        --running;
        on_finished(result);
        hand_out(worker);
      }
    }
  }
}

}  // namespace tg::apps::search
