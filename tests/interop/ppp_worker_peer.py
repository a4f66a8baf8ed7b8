# A Paranoid Pirate worker written from RFC 6 (and the zguide's ppworker) with pyzmq:
#   python3 ppp_worker_peer.py ENDPOINT INTERVAL_MS LIVENESS SERVE_N BUDGET_S
# DEALER to the queue's backend; READY (0x01) at start; HEARTBEAT (0x02) every interval; any
# message from the queue restores liveness; after LIVENESS silent intervals it closes the
# socket, waits (doubling from INTERVAL_MS up to 8x), reconnects and sends READY again.
# A request [envelope..., "", body] is answered [envelope..., "", "echo:" + body].
# Prints "READY n" on stderr at each READY; once SERVE_N requests are served and at least two
# HEARTBEATs came from the queue, prints "OK served=S heartbeats=H readies=R" and exits 0.
# Exits 3 with a message on a malformed message or when BUDGET_S runs out.
import sys, time
import zmq

READY, HEARTBEAT = b"\x01", b"\x02"
endpoint = sys.argv[1]
interval_ms, liveness_max, serve_n, budget_s = (int(a) for a in sys.argv[2:6])
interval = interval_ms / 1000.0
reconnect_initial, reconnect_max = interval, 8 * interval

ctx = zmq.Context()
readies = 0


def connect():
    global readies
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.connect(endpoint)
    s.send(READY)
    readies += 1
    print("READY %d" % readies, file=sys.stderr, flush=True)
    return s


def fail(why):
    print("FAIL " + why, flush=True)
    sys.exit(3)


worker = connect()
poller = zmq.Poller()
poller.register(worker, zmq.POLLIN)
liveness, backoff = liveness_max, reconnect_initial
heartbeat_at = time.monotonic() + interval
served = heartbeats = 0
end = time.monotonic() + budget_s

while time.monotonic() < end:
    events = dict(poller.poll(interval_ms))
    if events.get(worker) == zmq.POLLIN:
        frames = worker.recv_multipart()
        if frames == [HEARTBEAT]:
            heartbeats += 1
        elif len(frames) >= 2 and b"" in frames and frames.index(b"") + 1 < len(frames):
            cut = frames.index(b"") + 1
            worker.send_multipart(frames[:cut] + [b"echo:" + frames[cut]])
            served += 1
        else:
            fail("malformed message from the queue: %r" % frames)
        liveness, backoff = liveness_max, reconnect_initial
    else:
        liveness -= 1
        if liveness == 0:
            poller.unregister(worker)
            worker.close()
            time.sleep(backoff)  # RFC 6's reconnect back-off
            backoff = min(2 * backoff, reconnect_max)
            worker = connect()
            poller.register(worker, zmq.POLLIN)
            liveness = liveness_max
    if time.monotonic() >= heartbeat_at:
        heartbeat_at = time.monotonic() + interval
        worker.send(HEARTBEAT)
    if served >= serve_n and heartbeats >= 2:
        print("OK served=%d heartbeats=%d readies=%d" % (served, heartbeats, readies), flush=True)
        worker.close(linger=2000)  # the last reply must still be written
        ctx.term()
        sys.exit(0)

fail("budget ran out: served=%d heartbeats=%d readies=%d" % (served, heartbeats, readies))
