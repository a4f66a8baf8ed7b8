# Many scenarios over ipc:// in one pyzmq process, played one after another in the order given,
# each on its own endpoint (the cafmq test plays the other sides in the same order):
#   python3 pyzmq_ipc_peer.py CASES
# CASES is JSON: [{"type", "side", "mode": bind|connect, "endpoint", "flag", "steps",
#                  "curve": null | {"server": bool, "secret", "public", "serverkey"}}, ...]
# Keys in Z85. Prints "OK" after the last case; exits 3 with a message on the first failure.
import json, os, sys
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyzmq_scenario_peer import BUDGET_S, make_socket, play  # noqa: E402

ctx = zmq.Context()
for n, case in enumerate(json.loads(sys.argv[1])):
    s = make_socket(ctx, case["type"], case["side"])
    curve = case.get("curve")
    if curve:
        s.curve_secretkey = curve["secret"].encode()
        s.curve_publickey = curve["public"].encode()
        if curve["server"]:
            s.curve_server = True
        else:
            s.curve_serverkey = curve["serverkey"].encode()
    s.bind(case["endpoint"]) if case["mode"] == "bind" else s.connect(case["endpoint"])
    play(s, case["side"], case["flag"], case["steps"])
    s.close(linger=int(BUDGET_S * 1000))  # a last send must still be written
ctx.term()
print("OK", flush=True)
