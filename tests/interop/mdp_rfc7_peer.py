#!/usr/bin/python3
"""A Majordomo (MDP/0.1, ZeroMQ RFC 7) client and worker written from the RFC with pyzmq, as the
peers of cafmq's broker in tests/interop/mdp_broker_*_test.cpp and cli_broker_test.cpp.

  worker EP SERVICE [--heartbeat-ms MS] [--liveness N] [--count N] [--prefix P]
      Sends READY, answers each REQUEST with its body prefixed by P (default "echo:"), sends
      HEARTBEAT every MS while idle, counts the broker's HEARTBEATs. After N replies (--count;
      default: until DISCONNECT) it sends DISCONNECT and exits. Prints "ready", then at the end
      "worker replies=R heartbeats=H disconnected=D" (D: the broker sent DISCONNECT).
  client EP SERVICE N [--timeout-ms MS] [--mmi]
      A REQ client: N requests "req-i", each must come back as a reply from SERVICE whose body
      ends with "req-i". With --mmi first asks mmi.service for SERVICE and prints "mmi CODE".
      Prints "client ok N" and exits 0, or "client failed ..." and exits 1.
"""
import sys
import time

import zmq

MDPC = b"MDPC01"
MDPW = b"MDPW01"
READY, REQUEST, REPLY, HEARTBEAT, DISCONNECT = b"\x01", b"\x02", b"\x03", b"\x04", b"\x05"


def option(args, name, default):
    if name in args:
        return args[args.index(name) + 1]
    return default


def worker(ep, service, args):
    interval = int(option(args, "--heartbeat-ms", "2500")) / 1000.0
    liveness = int(option(args, "--liveness", "3"))
    count = int(option(args, "--count", "0"))
    prefix = option(args, "--prefix", "echo:").encode()
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 1000
    sock.connect(ep)
    # RFC 7: READY = "" "MDPW01" 0x01 service
    sock.send_multipart([b"", MDPW, READY, service.encode()])
    print("ready", flush=True)
    replies = heartbeats = 0
    disconnected = False
    left = liveness
    next_beat = time.monotonic() + interval
    while True:
        if sock.poll(int(interval * 1000)):
            frames = sock.recv_multipart()
            left = liveness
            if len(frames) < 3 or frames[0] != b"" or frames[1] != MDPW:
                print("worker got an invalid message %r" % frames, flush=True)
                sys.exit(1)
            cmd = frames[2]
            if cmd == REQUEST:
                # REQUEST = "" "MDPW01" 0x02 client-address... "" body...
                rest = frames[3:]
                cut = rest.index(b"")
                client, body = rest[:cut], rest[cut + 1:]
                sock.send_multipart([b"", MDPW, REPLY] + client + [b""] + [prefix + body[0]] + body[1:])
                replies += 1
                if count and replies >= count:
                    sock.send_multipart([b"", MDPW, DISCONNECT])
                    break
            elif cmd == HEARTBEAT:
                heartbeats += 1
            elif cmd == DISCONNECT:
                disconnected = True
                break
            else:
                print("worker got an unknown command %r" % cmd, flush=True)
                sys.exit(1)
        else:
            left -= 1
            if left == 0:
                print("worker: the broker is silent", flush=True)
                break
        if time.monotonic() >= next_beat:
            sock.send_multipart([b"", MDPW, HEARTBEAT])
            next_beat = time.monotonic() + interval
    print("worker replies=%d heartbeats=%d disconnected=%d" % (replies, heartbeats, int(disconnected)), flush=True)
    sock.close()
    ctx.term()


def client(ep, service, n, args):
    timeout = int(option(args, "--timeout-ms", "5000"))
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    sock.connect(ep)

    def call(svc, body):
        # RFC 7: request = "MDPC01" service body... (REQ adds the empty delimiter)
        sock.send_multipart([MDPC, svc, body])
        if not sock.poll(timeout):
            print("client failed: no reply from %s within %d ms" % (svc.decode(), timeout), flush=True)
            sys.exit(1)
        frames = sock.recv_multipart()
        if len(frames) < 3 or frames[0] != MDPC or frames[1] != svc:
            print("client failed: bad reply %r" % frames, flush=True)
            sys.exit(1)
        return frames[2:]

    if "--mmi" in args:
        code = call(b"mmi.service", service.encode())
        print("mmi %s" % code[0].decode(), flush=True)
    for i in range(n):
        body = ("req-%d" % i).encode()
        reply = call(service.encode(), body)
        if not reply[0].endswith(body):
            print("client failed: reply %r to %r" % (reply, body), flush=True)
            sys.exit(1)
    print("client ok %d" % n, flush=True)
    sock.close()
    ctx.term()


def main():
    mode, ep, service = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "worker":
        worker(ep, service, sys.argv[4:])
    elif mode == "client":
        client(ep, service, int(sys.argv[4]), sys.argv[5:])
    else:
        print("unknown mode " + mode, flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
