# One side of a scenario from tests/interop/scenarios.hpp, played by pyzmq (libzmq underneath)
# against cafmq: python3 pyzmq_scenario_peer.py TYPE SIDE bind|connect ENDPOINT FLAGFILE STEPS
# STEPS is JSON: [[side, kind, [frame...], [skip frame...]], ...], frames as latin-1 strings.
# Steps of the other side are skipped; send_until/recv_first meet through FLAGFILE (the receiver
# creates it). Exit 0 after the last step, 3 with a message on a mismatch or timeout.
# play() and make_socket() are also used by pyzmq_ipc_peer.py.
import json, os, sys, time
import zmq

TYPES = {"pair": zmq.PAIR, "pub": zmq.PUB, "sub": zmq.SUB, "req": zmq.REQ, "rep": zmq.REP,
         "dealer": zmq.DEALER, "router": zmq.ROUTER, "pull": zmq.PULL, "push": zmq.PUSH,
         "xpub": zmq.XPUB, "xsub": zmq.XSUB}
BUDGET_S = 5.0


def fail(why):
    print("FAIL:", why, flush=True)
    sys.exit(3)


def make_socket(ctx, kind, me):
    """A socket of `kind` for side `me`, with the scenario's routing id and subscription."""
    s = ctx.socket(TYPES[kind])
    s.linger = 0
    s.rcvtimeo = int(BUDGET_S * 1000)
    s.sndtimeo = int(BUDGET_S * 1000)
    if kind in ("dealer", "router", "req"):
        s.setsockopt(zmq.ROUTING_ID, b"side-a" if me == "a" else b"side-b")
    if kind == "sub":
        s.setsockopt(zmq.SUBSCRIBE, b"t")
    return s


def play(s, me, flag, steps):
    """Plays side `me` of `steps` on `s`; exits 3 on a mismatch or timeout."""
    def enc(frames):
        return [f.encode("latin-1") for f in frames]

    def recv():
        try:
            return s.recv_multipart()
        except zmq.Again:
            fail("no message within %.0f s" % BUDGET_S)

    i = 0
    while i < len(steps):
        side, what, frames, skip = steps[i]
        i += 1
        if side != me:
            continue
        if what == "send":
            s.send_multipart(enc(frames))
        elif what in ("recv", "recv_pumping"):
            got = recv()
            if got != enc(frames):
                fail("step %d: got %r, want %r" % (i - 1, got, enc(frames)))
        elif what == "send_until":
            end = time.monotonic() + BUDGET_S
            while not os.path.exists(flag):
                if time.monotonic() > end:
                    fail("step %d: the peer never confirmed a message" % (i - 1))
                s.send_multipart(enc(frames))
                time.sleep(0.02)  # pacing between repeats; the flag is the synchronisation
        elif what == "recv_first":
            got = recv()
            if got != enc(frames):
                fail("step %d: got %r, want %r" % (i - 1, got, enc(frames)))
            open(flag, "w").close()
        elif what == "recv_skip":
            got = recv()
            while got == enc(skip):
                got = recv()
            if got != enc(frames):
                fail("step %d: got %r, want %r" % (i - 1, got, enc(frames)))


if __name__ == "__main__":
    kind, me, mode, endpoint, flag, steps = sys.argv[1:7]
    ctx = zmq.Context()
    s = make_socket(ctx, kind, me)
    s.bind(endpoint) if mode == "bind" else s.connect(endpoint)
    play(s, me, flag, json.loads(steps))
    s.close(linger=int(BUDGET_S * 1000))  # a last send must still be written
    ctx.term()
    print("OK", flush=True)
