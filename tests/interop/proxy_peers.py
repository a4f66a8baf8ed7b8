#!/usr/bin/env python3
"""pyzmq peers on both sides of `cafmq proxy` (tests/interop/cli_proxy_test.cpp).

  proxy_peers.py pubsub FRONTEND BACKEND
      a PUB connected to the proxy's XSUB frontend, a SUB on its XPUB backend subscribed to
      "weather": published until the SUB has 5 weather messages (and no other topic).
  proxy_peers.py reqrep FRONTEND BACKEND [SERVER_PUBLIC_KEY]
      2 REP workers on the backend, 3 REQ clients on the frontend (CURVE clients of
      SERVER_PUBLIC_KEY if given), 5 requests each; every reply must answer its own request.
Prints one line "ok ..." and exits 0, or prints what failed and exits 1. Bounded: 10 s.
"""
import sys
import threading
import time

import zmq

DEADLINE = time.monotonic() + 10.0


def left_ms():
    return max(1, int((DEADLINE - time.monotonic()) * 1000))


def pubsub(ctx, front, back):
    pub = ctx.socket(zmq.PUB)
    pub.connect(front)
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"weather")
    sub.connect(back)
    got = []
    n = 0
    while len(got) < 5 and time.monotonic() < DEADLINE:
        n += 1
        pub.send_multipart([b"sports", b"%d" % n])
        pub.send_multipart([b"weather", b"%d" % n])
        if sub.poll(20):
            got.append(sub.recv_multipart())
    bad = [m for m in got if m[0] != b"weather" or len(m) != 2]
    if len(got) < 5 or bad:
        print("failed: got %r" % got)
        return 1
    print("ok pubsub %d messages, %d sent" % (len(got), n))
    return 0


def reqrep(ctx, front, back, server_key):
    stop = threading.Event()

    def worker(i):
        rep = ctx.socket(zmq.REP)
        rep.connect(back)
        while not stop.is_set():
            if rep.poll(20):
                req = rep.recv_multipart()
                rep.send_multipart([b"re:" + req[0], b"worker %d" % i])
        rep.close(0)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in workers:
        t.start()
    failures = []

    def client(c):
        req = ctx.socket(zmq.REQ)
        if server_key:
            pub, sec = zmq.curve_keypair()
            req.curve_serverkey = server_key.encode()
            req.curve_publickey = pub
            req.curve_secretkey = sec
        req.connect(front)
        for i in range(5):
            body = b"c%dr%d" % (c, i)
            req.send(body)
            if not req.poll(left_ms()):
                failures.append("client %d: no reply to %r" % (c, body))
                break
            reply = req.recv_multipart()
            if reply[0] != b"re:" + body:
                failures.append("client %d: %r answered %r" % (c, reply, body))
        req.close(0)

    clients = [threading.Thread(target=client, args=(c,)) for c in range(3)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    stop.set()
    for t in workers:
        t.join()
    if failures:
        print("failed: " + "; ".join(failures))
        return 1
    print("ok reqrep 15 requests answered")
    return 0


def main():
    mode, front, back = sys.argv[1:4]
    ctx = zmq.Context()
    try:
        if mode == "pubsub":
            return pubsub(ctx, front, back)
        return reqrep(ctx, front, back, sys.argv[4] if len(sys.argv) > 4 else None)
    finally:
        ctx.destroy(0)


if __name__ == "__main__":
    sys.exit(main())
