// Divide and conquer (the zguide's taskvent, taskwork2 and tasksink, chapter 1): a pipeline of
// PUSH and PULL sockets. The ventilator pushes tasks; PUSH deals them out round-robin to the
// workers connected to it; each worker pushes its result on to the sink, whose PULL fair-queues
// the results from all workers. When the sink has every result it publishes "KILL" on a PUB
// socket: each worker polls its task socket and that control SUB, and stops on the signal.
//
// The ventilator, the workers and the sink run on threads of this process.
// Exits 0 only if every task came back to the sink exactly once and every worker stopped.
#include <cafmq/cafmq.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int workers = 3;
constexpr int tasks = 100;

struct endpoints {
  std::string tasks;    // the ventilator's PUSH
  std::string results;  // the sink's PULL
  std::string control;  // the sink's PUB
};

// taskwork2: takes task N, sends back "N worker-id", until the sink says KILL. Returns how many
// tasks it did (-1 if no KILL came within the deadline).
int work(cafmq::socket receiver, cafmq::socket sender, cafmq::socket controller, int id) {
  cafmq::poller poller;  // after the sockets it watches: destroyed before them
  poller.add(receiver, cafmq::poll_in);
  poller.add(controller, cafmq::poll_in);
  int done = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (std::chrono::steady_clock::now() < deadline) {
    for (auto& ready : poller.wait(1s)) {
      if (ready.sock == &controller)
        return done;  // KILL
      while (auto task = receiver.recv(0ms)) {
        sender.send(cafmq::message{(*task)[0].to_string() + " " + std::to_string(id)});
        ++done;
      }
    }
  }
  return -1;
}

} // namespace

int main() {
  cafmq::context ctx;
  cafmq::socket ventilator{ctx, cafmq::socket_type::push};
  ventilator.bind("tcp://127.0.0.1:*");
  cafmq::socket sink{ctx, cafmq::socket_type::pull};
  sink.bind("tcp://127.0.0.1:*");
  cafmq::socket control{ctx, cafmq::socket_type::pub};
  control.bind("tcp://127.0.0.1:*");
  auto ventilator_events = ventilator.monitor();

  // Each worker's sockets are made here and move to its thread, used there alone.
  std::vector<int> done(workers, 0);
  std::vector<std::thread> worker_threads;
  for (int id = 0; id < workers; ++id) {
    cafmq::socket receiver{ctx, cafmq::socket_type::pull};
    receiver.connect(ventilator.last_endpoint());
    cafmq::socket sender{ctx, cafmq::socket_type::push};
    sender.connect(sink.last_endpoint());
    cafmq::socket controller{ctx, cafmq::socket_type::sub};
    controller.subscribe("");
    controller.connect(control.last_endpoint());
    worker_threads.emplace_back([&done, id, r = std::move(receiver), s = std::move(sender),
                                 c = std::move(controller)]() mutable {
      done[id] = work(std::move(r), std::move(s), std::move(c), id);
    });
  }

  // Like the zguide's "press Enter when the workers are ready": PUSH deals tasks only to the
  // workers connected at the time, so the first to connect would get them all. Wait for all.
  int connected = 0;
  while (connected < workers) {
    auto event = ventilator_events.next(5s);
    if (!event)
      break;
    if (event->kind == cafmq::event_kind::handshake_succeeded)
      ++connected;
  }
  // And the kill signal must reach every worker: PUB sends only to known subscriptions.
  if (connected < workers || !control.wait_subscribers(workers, 5s)) {
    std::cerr << "the workers did not come\n";
    return 1;
  }

  // taskvent: the tasks, numbered 0..tasks-1.
  for (int n = 0; n < tasks; ++n)
    ventilator.send(cafmq::message{std::to_string(n)});

  // tasksink: every result, each task exactly once.
  std::vector<int> results_of(tasks, 0);
  int results = 0;
  int malformed = 0;
  while (results < tasks) {
    auto result = sink.recv(5s);
    if (!result)
      break;
    ++results;
    int task = std::stoi((*result)[0].to_string());
    if (task >= 0 && task < tasks)
      ++results_of[task];
    else
      ++malformed;
  }
  int exactly_once = 0;
  for (int count : results_of)
    exactly_once += count == 1 ? 1 : 0;

  control.send(cafmq::message{"KILL"});
  for (auto& t : worker_threads)
    t.join();
  // The workers are gone and closing their sockets wrote out what they queued: a result that
  // came twice would be here by now.
  int extra = 0;
  while (sink.recv(200ms))
    ++extra;

  bool all_stopped = true;
  for (int id = 0; id < workers; ++id) {
    std::cout << "worker " << id << " did " << done[id] << " tasks\n";
    all_stopped = all_stopped && done[id] >= 0;
  }
  std::cout << exactly_once << " of " << tasks << " tasks came back exactly once ("
            << results + extra << " results, " << malformed << " malformed)\n";
  return exactly_once == tasks && results == tasks && extra == 0 && malformed == 0 &&
             all_stopped
           ? 0
           : 1;
}
