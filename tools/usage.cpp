// Help texts of the `cafmq` tool; docs/cli.md has the same contract in long form.
#include "usage.hpp"

namespace cafmq::cli {

namespace {

constexpr const char* common_options =
  "  --type TYPE         socket type, lower case (push, pull, ...)\n"
  "  --bind EP           bind an endpoint (tcp://*:5555, tcp://127.0.0.1:*); repeatable\n"
  "  --connect EP        connect an endpoint (tcp://127.0.0.1:5555); repeatable\n"
  "  --routing-id ID     ZMQ_ROUTING_ID sent to peers\n"
  "  --sndhwm N          ZMQ_SNDHWM (default 1000)\n"
  "  --rcvhwm N          ZMQ_RCVHWM (default 1000)\n"
  "  -h, --help          this help\n";

constexpr const char* send_usage =
  "usage: cafmq send --type TYPE (--bind EP | --connect EP)... [options] FRAME...\n"
  "Sends one message made of the FRAME arguments (one frame each), --count times, then\n"
  "closes, waiting up to --linger-ms for every message to be written.\n"
  "Exit status: 0 all written, 1 error (e.g. linger expired, messages discarded), 2 usage.\n"
  "\n"
  "options:\n"
  "  --count N           send the message N times (default 1)\n"
  "  --linger-ms MS      on close, wait at most MS for queued messages (default -1: forever)\n"
  "  --timeout-ms MS     fail if one send blocks longer than MS (default: block)\n"
  "  --                  end of options: the rest are frames even if they start with --\n";

constexpr const char* recv_usage =
  "usage: cafmq recv --type TYPE (--bind EP | --connect EP)... [options]\n"
  "Receives messages and prints each as one line of JSON: an array of its frames as strings\n"
  "([\"a\",\"b\"]); bytes that are not UTF-8 print as \\u00XX.\n"
  "Exit status: 0 after --count messages (or on SIGINT/SIGTERM without --count),\n"
  "1 error or timeout, 2 usage.\n"
  "\n"
  "options:\n"
  "  --count N           stop after N messages (default: until SIGINT/SIGTERM)\n"
  "  --timeout-ms MS     fail if no message arrives within MS (per message)\n"
  "  --quiet             print only \"received N\" at the end\n";

} // namespace

void print_usage(std::FILE* out) {
  std::fputs("usage: cafmq send|recv [options]   (cafmq COMMAND --help for details)\n"
             "  cafmq send --type push --connect tcp://127.0.0.1:5555 hello world\n"
             "  cafmq recv --type pull --bind tcp://*:5555 --count 1\n",
             out);
}

void print_command_usage(command cmd, std::FILE* out) {
  std::fputs(cmd == command::send ? send_usage : recv_usage, out);
  std::fputs(common_options, out);
}

} // namespace cafmq::cli
