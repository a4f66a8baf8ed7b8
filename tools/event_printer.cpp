// The --events printer: one JSON object per line on stderr, written with one fputs per line so
// lines never interleave with the tool's other stderr output.
#include "event_printer.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace cafmq::cli {

namespace {

constexpr size_t queue_capacity = 4096;
constexpr auto poll_period = std::chrono::milliseconds(50);  // how soon the thread sees stop_
constexpr auto final_wait = std::chrono::milliseconds(1000);

} // namespace

event_printer::event_printer(socket& sock, const cli_args& args) : sock_(sock), endpoints_(args.endpoints.size()) {
  if (!args.events)
    return;
  stream_.emplace(sock.monitor(queue_capacity));
  thread_ = std::thread([this] { run(); });
}

event_printer::~event_printer() {
  if (!thread_.joinable())
    return;
  stop_.store(true);
  thread_.join();
  try {
    sock_.close();  // idempotent; its listeners and connectors say `closed` as they stop
  } catch (...) {
    // Only a terminated context makes close fail, and then no event is coming anyway.
  }
  auto deadline = std::chrono::steady_clock::now() + final_wait;
  while (closed_seen_ < endpoints_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      break;
    auto e = stream_->next(left);
    if (!e)
      break;
    print(*e);
  }
  while (auto e = stream_->next(std::chrono::milliseconds(0)))  // whatever else is queued
    print(*e);
}

void event_printer::run() {
  while (!stop_.load())
    if (auto e = stream_->next(poll_period))
      print(*e);
}

void event_printer::print(const monitor_event& e) {
  if (e.kind == event_kind::closed)
    ++closed_seen_;
  auto lost = stream_->dropped();
  if (lost > overflow_reported_) {  // the reader fell behind: say how many events were lost
    std::string note = "{\"event\":\"events_lost\",\"dropped\":"
                       + std::to_string(lost - overflow_reported_) + "}\n";
    std::fputs(note.c_str(), stderr);
    overflow_reported_ = lost;
  }
  auto line = to_json(e);
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

} // namespace cafmq::cli
