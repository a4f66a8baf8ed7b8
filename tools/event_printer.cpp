// The --events printer: one JSON object per line on stderr, each written whole by one write(2)
// so lines never interleave with the tool's other stderr output.
#include "event_printer.hpp"

#include "stderr_line.hpp"

#include <chrono>
#include <string>

namespace cafmq::cli {

namespace {
constexpr auto final_wait = std::chrono::milliseconds(1000);
/// How long one event line may wait for room on stderr while lines are being written.
constexpr auto line_wait = std::chrono::milliseconds(100);
} // namespace

event_printer::event_printer(socket& sock, const cli_args& args)
    : sock_(sock), endpoints_(args.endpoints.size()) {
  if (!args.events)
    return;
  state_ = std::make_shared<state>();
  callback_id_ = sock.add_event_callback([s = state_](const monitor_event& e) { s->print(e); });
}

event_printer::~event_printer() {
  if (!state_)
    return;
  try {
    sock_.close();  // idempotent; its listeners and connectors say `closed` as they stop
  } catch (...) {
    // Only a terminated context makes close fail, and then no event is coming anyway.
  }
  {
    std::unique_lock<std::mutex> lock{state_->mtx};
    state_->closed_cv.wait_for(lock, final_wait, [&] { return state_->closed_seen >= endpoints_; });
  }
  try {
    auto lost = sock_.event_callback_dropped(callback_id_) + state_->unwritten.load();
    if (lost > 0) {
      std::string note = "{\"event\":\"events_lost\",\"dropped\":" + std::to_string(lost) + "}\n";
      // A stderr that was full already gets the note only if it has room now.
      auto room = state_->unwritten.load() > 0 ? std::chrono::milliseconds(0) : final_wait;
      write_stderr_line(note, room);
    }
    sock_.remove_event_callback(callback_id_);
  } catch (...) {
    // A moved-from socket: its callbacks went with it.
  }
}

void event_printer::state::print(const monitor_event& e) {
  auto line = to_json(e);
  line += '\n';
  // A slow reader gets a moment to make room; a stalled one (a line was dropped and none written
  // since) gets none, so the event thread is held up once, briefly.
  stalled = !write_stderr_line(line, stalled ? std::chrono::milliseconds(0) : line_wait);
  if (stalled)
    unwritten.fetch_add(1, std::memory_order_relaxed);
  if (e.kind != event_kind::closed)
    return;
  std::lock_guard<std::mutex> lock{mtx};
  ++closed_seen;
  closed_cv.notify_all();
}

} // namespace cafmq::cli
