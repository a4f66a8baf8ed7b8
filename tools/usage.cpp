// Help texts of the `cafmq` tool; docs/cli.md has the same contract in long form.
#include "usage.hpp"

namespace cafmq::cli {

namespace {

constexpr const char* common_options =
  "  --type TYPE         socket type, lower case (push, pull, pub, sub, req, rep, ...)\n"
  "  --bind EP           bind an endpoint (tcp://*:5555, tcp://127.0.0.1:*, tcp://lo:5555,\n"
  "                      ipc:///path, ipc://*, inproc://name); repeatable\n"
  "  --connect EP        connect an endpoint (tcp://127.0.0.1:5555,\n"
  "                      tcp://SRC:PORT;HOST:PORT, ipc:///path, inproc://name); repeatable\n"
  "  --no-ipv6           ZMQ_IPV6 off: IPv4 only (default: tcp://*:P binds IPv4 and IPv6)\n"
  "  --routing-id ID     ZMQ_ROUTING_ID sent to peers\n"
  "  --sndhwm N          ZMQ_SNDHWM (default 1000)\n"
  "  --rcvhwm N          ZMQ_RCVHWM (default 1000)\n"
  "  --sndtimeo-ms MS    ZMQ_SNDTIMEO (default: --timeout-ms for send, echo, request)\n"
  "  --reconnect-ivl-ms MS      ZMQ_RECONNECT_IVL (default 100; -1 never)\n"
  "  --reconnect-ivl-max-ms MS  ZMQ_RECONNECT_IVL_MAX: double the wait up to MS (0: off)\n"
  "  --reconnect-max-attempts N give up after N retries in a row (default 0: never)\n"
  "  --connect-timeout-ms MS    ZMQ_CONNECT_TIMEOUT: abandon a dial after MS (0: off)\n"
  "  --events            print monitor events on stderr as JSON lines\n"
  "  --heartbeat-ivl-ms MS      send a ZMTP PING every MS (default 0: off)\n"
  "  --heartbeat-timeout-ms MS  drop a peer silent MS after a PING (default: the interval)\n"
  "  --heartbeat-ttl-ms MS      ask peers to drop us after MS of silence (default 0: off)\n"
  "  --handshake-ivl-ms MS      ZMQ_HANDSHAKE_IVL: drop a peer whose handshake takes MS\n"
  "  --maxmsgsize N      ZMQ_MAXMSGSIZE: drop peers sending a larger message (-1: no limit)\n"
  "pattern options (libzmq's; a type they do not apply to ignores them):\n"
  "  --conflate          keep only the newest message      --immediate   only to connected peers\n"
  "  --router-mandatory  unroutable sends fail             --router-handover  new peer takes id\n"
  "  --probe-router      send an empty message on connect  --req-relaxed   resend before a reply\n"
  "  --req-correlate     match replies by request id       --xpub-verbose  pass every subscribe\n"
  "  --xpub-verboser     pass every subscribe and cancel   --xpub-manual   user applies subs\n"
  "  --xpub-nodrop       block instead of dropping         --xpub-welcome-msg TEXT\n"
  "security (default NULL: no authentication, no encryption; trusted networks only):\n"
  "  --curve-server             be a CURVE server (with our secret key, below)\n"
  "  --curve-server-secret Z85  --curve-server with this secret key\n"
  "  --curve-allow Z85          CURVE server: allow this client key (repeatable; none: any)\n"
  "  --curve-allow-cert FILE    ... the public key of this zcert file (repeatable)\n"
  "  --curve-server-key Z85     be a CURVE client of the server with this public key\n"
  "  --curve-server-cert FILE   ... with the public key of this zcert file\n"
  "  --curve-public Z85         CURVE client: our public key (with --curve-secret)\n"
  "  --curve-secret Z85         our secret key (client without one: a fresh pair)\n"
  "  --curve-cert FILE          our key pair from a zcert secret file (keygen's FILE_secret)\n"
  "  --plain-user U             be a PLAIN client with user name U\n"
  "  --plain-password P         PLAIN client: the password\n"
  "  Every secret X (--curve-secret, --curve-server-secret, --plain-password) can also be\n"
  "  given as X-file FILE (the file's content, one trailing newline dropped) or X-env VAR.\n"
  "  --plain-server             be a PLAIN server (needs --plain-passwords)\n"
  "  --plain-passwords FILE     PLAIN server: user=password lines\n"
  "  --zap-domain D             ZAP domain put in authentication requests\n"
  "  -h, --help          this help\n";

constexpr const char* send_usage =
  "usage: cafmq send --type TYPE (--bind EP | --connect EP)... [options] FRAME...\n"
  "Sends one message made of the FRAME arguments (one frame each), --count times, then\n"
  "closes, waiting up to --linger-ms for every message to be written.\n"
  "FRAME: TEXT, or - (all of stdin), or @FILE (the file's bytes); --frame TEXT is always text.\n"
  "SIGINT/SIGTERM stops the sending; the close still lingers, then a summary line says what\n"
  "went out; a second signal ends the linger at once.\n"
  "Exit status: 0 all written, 1 error (e.g. linger expired, messages discarded, stopped by a\n"
  "signal before all were written), 2 usage.\n"
  "\n"
  "options:\n"
  "  --count N           send the message N times (default 1)\n"
  "  --linger-ms MS      on close, wait at most MS for queued messages (default -1: forever)\n"
  "  --timeout-ms MS     fail if one send blocks longer than MS (default: block)\n"
  "  --wait-subscribers N  pub/xpub: wait until N peers subscribed before sending\n"
  "  --interval-ms MS    pause MS between two sends\n"
  "  --frame TEXT        a frame taken literally (even - or @...)\n"
  "  --                  end of options: the rest are frames even if they start with --\n";

constexpr const char* recv_usage =
  "usage: cafmq recv --type TYPE (--bind EP | --connect EP)... [options]\n"
  "Receives messages and prints each (--format, default json: one line per message, an array\n"
  "of its frames, a string if it is UTF-8, else {\"base64\":\"...\"}).\n"
  "Exit status: 0 after --count messages (or on SIGINT/SIGTERM without --count),\n"
  "1 error, timeout or signal before --count, 2 usage. A second signal ends the linger (1).\n"
  "\n"
  "options:\n"
  "  --count N           stop after N messages (default: until SIGINT/SIGTERM)\n"
  "  --timeout-ms MS     fail if no message arrives within MS (per message)\n"
  "  --quiet             print only \"received N\" at the end\n"
  "  --format F          json (default), hex or base64 (a line per message, frames\n"
  "                      separated by a space), raw (the bytes only; for one binary frame)\n"
  "  --linger-ms MS      on close, wait at most MS for queued messages (default -1)\n"
  "  --subscribe PREFIX  sub/xsub: receive messages starting with PREFIX; repeatable\n"
  "                      (none: nothing is received, like libzmq; \"\" is everything)\n";

constexpr const char* echo_usage =
  "usage: cafmq echo --type TYPE (--bind EP | --connect EP)... [options]\n"
  "A server that sends every message it receives back where it came from (rep, router\n"
  "keeping the routing envelope, dealer, pair). Prints nothing.\n"
  "Exit status: 0 after --count messages (or on SIGINT/SIGTERM without --count),\n"
  "1 error, timeout or signal before --count, 2 usage. A second signal ends the linger (1).\n"
  "\n"
  "options:\n"
  "  --count N           stop after echoing N messages (default: until SIGINT/SIGTERM)\n"
  "  --timeout-ms MS     fail if no message arrives within MS (per message)\n"
  "  --linger-ms MS      on close, wait at most MS for replies to be written\n";

constexpr const char* request_usage =
  "usage: cafmq request --type TYPE (--bind EP | --connect EP)... [options] FRAME...\n"
  "A client (req, dealer, pair): sends the message made of the FRAME arguments and prints the\n"
  "reply (--format, as recv prints), --count times.\n"
  "FRAME: TEXT, or - (all of stdin), or @FILE (the file's bytes); --frame TEXT is always text.\n"
  "Exit status: 0 all replies received, 1 error, timeout or SIGINT/SIGTERM, 2 usage.\n"
  "\n"
  "options:\n"
  "  --count N           send N requests, one after the other's reply (default 1)\n"
  "  --timeout-ms MS     fail if a send blocks or a reply takes longer than MS\n"
  "  --attempts N        send again after each timeout, N times in all (needs --timeout-ms)\n"
  "  --quiet             print only \"received N\" at the end\n"
  "  --format F          json (default), hex or base64 (a line per message, frames\n"
  "                      separated by a space), raw (the bytes only; for one binary frame)\n"
  "  --frame TEXT        a frame taken literally (even - or @...)\n"
  "  --linger-ms MS      on close, wait at most MS for queued messages (default 0)\n"
  "  --                  end of options: the rest are frames even if they start with --\n";

constexpr const char* broker_usage =
  "usage: cafmq broker --bind EP... [options]\n"
  "A Majordomo broker (MDP/0.1, ZeroMQ RFC 7, with RFC 8's mmi.service) on a ROUTER socket:\n"
  "clients (MDPC01) and workers (MDPW01) connect to it. Runs until SIGINT/SIGTERM, then stops\n"
  "taking requests, waits up to --drain-ms for the replies in flight (forwarding them),\n"
  "discards the queued ones, sends DISCONNECT to every worker, prints a one-line summary on\n"
  "stdout (\"stopped: ...\") and exits. A wildcard bind prints \"bound EP\" on stderr.\n"
  "Exit status: 0 stopped by a signal, 1 error (e.g. bind failed), 2 usage.\n"
  "\n"
  "options:\n"
  "  --bind EP                  where clients and workers connect (repeatable)\n"
  "  --heartbeat-ivl-ms MS      MDP HEARTBEAT interval, both ways (default 2500, RFC 7).\n"
  "                             Not ZMTP's PING (which the broker leaves off)\n"
  "  --heartbeat-liveness N     heartbeats a worker may miss before removal (default 3)\n"
  "  --request-expiry-ms MS     a request waiting for a worker is dropped after MS\n"
  "                             (default 10000)\n"
  "  --max-queued N             requests one service may hold waiting (default 10000)\n"
  "  --drain-ms MS              on SIGINT/SIGTERM, wait up to MS for replies (default 1000)\n"
  "  --max-services N           live services at once; beyond, requests for a new one are\n"
  "                             dropped, READYs get DISCONNECT (default 1000)\n"
  "  --max-workers N            registered workers at once; beyond, READY gets DISCONNECT\n"
  "                             (default 10000)\n"
  "  --expire-busy-workers      a worker holding a request is expired when silent too\n"
  "                             (for workers that heartbeat while busy)\n"
  "  --busy-expiry-ms MS        otherwise, remove a worker silent for MS while busy\n"
  "                             (default 0: never; a closed connection removes it at once)\n"
  "  --events                   print the ROUTER's monitor events on stderr as JSON lines\n"
  "  --sndhwm N, --rcvhwm N, --linger-ms MS, --maxmsgsize N, --handshake-ivl-ms MS,\n"
  "  --ipv6, --no-ipv6          the ROUTER's options, as for the other commands\n"
  "security (default NULL): --curve-server, --curve-server-secret[-file|-env] Z85,\n"
  "  --curve-cert FILE, --curve-allow Z85, --curve-allow-cert FILE, --plain-server,\n"
  "  --plain-passwords FILE, --zap-domain D (as for the other commands: cafmq recv --help)\n"
  "  -h, --help          this help\n";

} // namespace

void print_usage(std::FILE* out) {
  std::fputs("usage: cafmq send|recv|echo|request|broker|proxy|keygen [options]   (cafmq COMMAND --help)\n"
             "  cafmq send --type push --connect tcp://127.0.0.1:5555 hello world\n"
             "  cafmq recv --type pull --bind tcp://*:5555 --count 1\n"
             "  cafmq recv --type sub --connect tcp://127.0.0.1:5556 --subscribe weather.\n"
             "  cafmq echo --type rep --bind tcp://*:5557\n"
             "  cafmq request --type req --connect tcp://127.0.0.1:5557 ping\n"
             "  cafmq broker --bind tcp://*:5555   (a Majordomo broker, RFC 7)\n"
             "  cafmq keygen --cert server.cert   (CURVE key pair; without --cert: printed)\n"
             "  cafmq proxy --frontend router,bind:tcp://*:5559 --backend dealer,bind:tcp://*:5560\n"
             "  cafmq --version                   (the library's version)\n",
             out);
}

void print_command_usage(command cmd, std::FILE* out) {
  const char* text = send_usage;
  switch (cmd) {
    case command::send: text = send_usage; break;
    case command::recv: text = recv_usage; break;
    case command::echo: text = echo_usage; break;
    case command::request: text = request_usage; break;
    case command::broker: std::fputs(broker_usage, out); return;
  }
  std::fputs(text, out);
  std::fputs(common_options, out);
}

void print_proxy_usage(std::FILE* out) {
  std::fputs(
    "usage: cafmq proxy --frontend TYPE,EP[,EP...] --backend TYPE,EP[,EP...] [--capture EP[,EP...]]\n"
    "                   [--events] [--frontend-FLAG ...] [--backend-FLAG ...]\n"
    "Forwards messages between the two sockets (zmq_proxy) until SIGINT or SIGTERM, then prints\n"
    "the statistics as one JSON line on stdout and exits 0 (1 if a socket failed first).\n"
    "  TYPE       router/dealer (request-reply queue), xsub/xpub (pub-sub forwarder),\n"
    "             pull/push (pipeline streamer), or any pair of types with a direction\n"
    "  EP         bind:ADDR or @ADDR binds, connect:ADDR or >ADDR connects (tcp://*:5555,\n"
    "             ipc://..., tcp://127.0.0.1:*: a picked port is printed on stderr as 'bound ...')\n"
    "  --capture EP   a PUB socket that gets a copy of every message, both ways\n"
    "  --events       both sides' monitor events on stderr (JSON lines)\n"
    "  --frontend-FLAG VALUE, --backend-FLAG VALUE\n"
    "             any socket flag of send/recv for that side only (cafmq recv --help), e.g.\n"
    "             --frontend-curve-server-secret-file server.key --frontend-sndhwm 100\n"
    "example: a CURVE front end for plain workers:\n"
    "  cafmq proxy --frontend router,bind:tcp://*:5559 --frontend-curve-server-secret-env KEY \\\n"
    "              --backend dealer,bind:tcp://127.0.0.1:5560\n",
    out);
}

} // namespace cafmq::cli
