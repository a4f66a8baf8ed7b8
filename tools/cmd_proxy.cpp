// `cafmq proxy`: runs cafmq::proxy between a frontend and a backend socket (and a PUB capture)
// until SIGINT/SIGTERM, then prints the statistics as a JSON line on stdout (and the stop's
// summary line on stderr), closes its sockets with their linger and exits 0 (1 if a second
// signal ended a linger). The proxy runs on a thread of its own, steered over an inproc PAIR
// control socket.
#include "cli_security.hpp"
#include "commands.hpp"
#include "event_printer.hpp"
#include "proxy_args.hpp"
#include "stop_signal.hpp"
#include "usage.hpp"

#include "runtime/cafmq.hpp"
#include "runtime/proxy.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>

namespace cafmq::cli {
namespace {

void print_summary(const proxy_statistics& s) {
  std::printf("{\"event\":\"proxy-summary\",\"frontend_messages_in\":%llu,\"frontend_bytes_in\":%llu,"
              "\"frontend_messages_out\":%llu,\"frontend_bytes_out\":%llu,"
              "\"backend_messages_in\":%llu,\"backend_bytes_in\":%llu,"
              "\"backend_messages_out\":%llu,\"backend_bytes_out\":%llu,\"capture_dropped\":%llu}\n",
              static_cast<unsigned long long>(s.frontend_messages_in),
              static_cast<unsigned long long>(s.frontend_bytes_in),
              static_cast<unsigned long long>(s.frontend_messages_out),
              static_cast<unsigned long long>(s.frontend_bytes_out),
              static_cast<unsigned long long>(s.backend_messages_in),
              static_cast<unsigned long long>(s.backend_bytes_in),
              static_cast<unsigned long long>(s.backend_messages_out),
              static_cast<unsigned long long>(s.backend_bytes_out),
              static_cast<unsigned long long>(s.capture_dropped));
  std::fflush(stdout);
}

} // namespace

int run_proxy(const std::vector<std::string>& words) {
  auto args = parse_proxy_args(words);
  if (args.help) {
    print_proxy_usage(stdout);
    return 0;
  }
  attach_authenticator(args.frontend);
  attach_authenticator(args.backend);
  stop_signal stop;  // first: the context's threads must inherit the blocked signals
  context ctx;
  socket frontend{ctx, args.frontend.type, args.frontend.options};
  stop_signal::linger_guard frontend_linger{stop, frontend};
  event_printer frontend_events{frontend, args.frontend};
  socket backend{ctx, args.backend.type, args.backend.options};
  stop_signal::linger_guard backend_linger{stop, backend};
  event_printer backend_events{backend, args.backend};
  std::optional<socket> capture;
  std::optional<stop_signal::linger_guard> capture_linger;
  if (args.capture) {
    capture.emplace(ctx, socket_type::pub, args.capture->options);
    capture_linger.emplace(stop, *capture);
  }
  try {  // two types with nothing to forward is a bad command line: exit 2, before any bind
    check_proxy_arguments(frontend, backend, capture ? &*capture : nullptr);
  } catch (const error& e) {
    if (e.code() != errc::invalid_argument)
      throw;
    throw usage_error{e.what()};
  }
  socket control{ctx, socket_type::pair};
  socket steer{ctx, socket_type::pair};
  control.bind("inproc://cafmq-cli-proxy-control");
  steer.connect("inproc://cafmq-cli-proxy-control");
  attach_endpoints(frontend, args.frontend);  // the "bound" lines: frontend, backend, capture
  attach_endpoints(backend, args.backend);
  if (capture)
    attach_endpoints(*capture, *args.capture);

  proxy_result result;
  std::exception_ptr failure;
  std::atomic<bool> done{false};
  std::thread loop([&] {
    try {
      result = proxy(frontend, backend, capture ? &*capture : nullptr, &control);
    } catch (...) {
      failure = std::current_exception();
    }
    done = true;
    stop.wake();
  });
  stop.wait();  // a signal, or the loop's own end
  if (!done)
    steer.send(message{"TERMINATE"}, std::chrono::seconds(5));  // the loop reads it at once
  loop.join();
  if (failure)
    std::rethrow_exception(failure);
  if (stop.requested()) {
    auto& s = result.statistics;
    stop.print_summary("forwarded " + std::to_string(s.frontend_messages_in) + " frontend and "
                         + std::to_string(s.backend_messages_in) + " backend message(s)",
                       false);
  }
  print_summary(result.statistics);
  // The closes linger for what the sides still hold; a second signal ends that and makes it 1.
  frontend.close();
  backend.close();
  if (capture)
    capture->close();
  return stop.status(result.end == proxy_end::terminate_command ? 0 : 1);
}

} // namespace cafmq::cli
