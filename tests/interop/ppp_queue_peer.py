# A Paranoid Pirate queue written from RFC 6 (and the zguide's ppqueue) with pyzmq:
#   python3 ppp_queue_peer.py INTERVAL_MS LIVENESS REPLIES_N BUDGET_S
# Binds a frontend ROUTER (clients) and a backend ROUTER (workers) on tcp://127.0.0.1:* and
# prints "ENDPOINTS <frontend> <backend>" on stdout. Any message from a worker marks it alive
# (expiry: LIVENESS x INTERVAL_MS) and ready, last in LRU order; READY and HEARTBEAT are one
# frame each; anything longer is a reply for the frontend. Requests go to the least recently
# used live worker; idle workers get a HEARTBEAT every interval; silent ones are purged.
# Once REPLIES_N replies went back and two HEARTBEATs came from workers, prints
# "OK replies=N heartbeats=H readies=R" and exits 0; exits 3 on a malformed message or when
# BUDGET_S runs out.
import sys, time
from collections import OrderedDict
import zmq

READY, HEARTBEAT = b"\x01", b"\x02"
interval_ms, liveness, replies_n, budget_s = (int(a) for a in sys.argv[1:5])
interval = interval_ms / 1000.0

ctx = zmq.Context()
frontend = ctx.socket(zmq.ROUTER)
backend = ctx.socket(zmq.ROUTER)
for s in (frontend, backend):
    s.linger = 0
    s.bind("tcp://127.0.0.1:*")
print("ENDPOINTS %s %s" % (frontend.LAST_ENDPOINT.decode(), backend.LAST_ENDPOINT.decode()),
      flush=True)


def fail(why):
    print("FAIL " + why, flush=True)
    sys.exit(3)


workers = OrderedDict()  # id -> expiry, least recently used first
poll_workers = zmq.Poller()
poll_workers.register(backend, zmq.POLLIN)
poll_both = zmq.Poller()
poll_both.register(backend, zmq.POLLIN)
poll_both.register(frontend, zmq.POLLIN)
heartbeat_at = time.monotonic() + interval
replies = heartbeats = readies = 0
end = time.monotonic() + budget_s

while time.monotonic() < end:
    events = dict((poll_both if workers else poll_workers).poll(interval_ms))
    if events.get(backend) == zmq.POLLIN:
        frames = backend.recv_multipart()
        wid, rest = frames[0], frames[1:]
        workers.pop(wid, None)
        workers[wid] = time.monotonic() + liveness * interval
        if rest == [READY]:
            readies += 1
        elif rest == [HEARTBEAT]:
            heartbeats += 1
        elif len(rest) >= 2 and b"" in rest:
            frontend.send_multipart(rest)
            replies += 1
        else:
            fail("malformed message from a worker: %r" % rest)
    if events.get(frontend) == zmq.POLLIN and workers:
        frames = frontend.recv_multipart()
        wid, _ = workers.popitem(last=False)
        backend.send_multipart([wid] + frames)
    now = time.monotonic()
    if now >= heartbeat_at:
        for wid in workers:
            backend.send_multipart([wid, HEARTBEAT])
        heartbeat_at = now + interval
    for wid in [w for w, expiry in workers.items() if expiry < now]:
        del workers[wid]
    if replies >= replies_n and heartbeats >= 2:
        print("OK replies=%d heartbeats=%d readies=%d" % (replies, heartbeats, readies), flush=True)
        frontend.close(linger=2000)  # the last reply must still be written
        backend.close()
        ctx.term()
        sys.exit(0)

fail("budget ran out: replies=%d heartbeats=%d readies=%d" % (replies, heartbeats, readies))
