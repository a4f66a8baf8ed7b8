#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/<seed> (committed; rerun after changing this).

Seeds are small, meaningful inputs: valid greetings, frames, the PLAIN HELLO and the derived
CURVE transcript of protocol-reference §2.3 (the CURVE targets inject the randomness that
reproduces it, so its commands complete a handshake), ZAP replies and requests, Z85 text,
endpoints, subscription operations and a zcert file. The input layout of each target is in the
comment at the top of its fuzz_<target>.cpp.
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# -- ZMTP building blocks ------------------------------------------------------------------

def frame(body, more=False, command=False):
    flags = (0x01 if more else 0) | (0x04 if command else 0)
    if len(body) > 255:
        return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body

def command(name, data=b""):
    return bytes([len(name)]) + name + data

def cmd_frame(name, data=b""):
    return frame(command(name, data), command=True)

def metadata(*props):
    out = b""
    for name, value in props:
        out += bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return out

def greeting(mechanism, as_server=False, minor=1):
    g = bytearray(64)
    g[0], g[8], g[9], g[10], g[11] = 0xFF, 0x01, 0x7F, 0x03, minor
    g[12:12 + len(mechanism)] = mechanism
    g[32] = 1 if as_server else 0
    return bytes(g)

def mdp(*frames):
    return b"".join(frame(f, more=(i + 1 < len(frames))) for i, f in enumerate(frames))

H = bytes.fromhex
DEALER_MD = metadata((b"Socket-Type", b"DEALER"), (b"Identity", b""))
ROUTER_MD = metadata((b"Socket-Type", b"ROUTER"), (b"Identity", b""))

# protocol-reference §2.1 and §2.3 (command bodies, without their frame headers)
PLAIN_HELLO = H("0548454c4c4f0561646d696e0870617373776f7264")
CURVE_HELLO = H(
    "0548454c4c4f01000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000007a37cbc142093c8b755dc1b"
    "10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c00000000000000016e3f26f72fe2f05db20de7881ee6a08fc432"
    "afe73b138226f5930879c93bdd4d8586425a3a8d6bc5d83598a3017e0f1792ff0381360d168b6fe1c5e0bb752b0d"
    "365e13ea8e8a29ce1c5052c8c63eced7")
CURVE_WELCOME = H(
    "0757454c434f4d45a0a1a2a3a4a5a6a7a8a9aaabacadaeafde30ad3917102ed03f3252ff5df61e274d7aab13f9fa"
    "b374e52fdb35267e556dbae9dc929e81121e700070a00704f657807a24350e915ba16e09a035668bb80d0136e98f"
    "1301217848e471b9596e84292c98cd981243e07bde8bc043ce7fe00914fc994e83f357dc8488a0bb0e692cd73543"
    "d5edda932e36f8e3368f778980b2801bedaf6386ad0c7f9974b7c179ccf7")
CURVE_INITIATE = H(
    "08494e495449415445b0b1b2b3b4b5b6b7b8b9babbbcbdbebf8ca425494c574328d111eef24e3b0b3d840373c650"
    "95e0e37b27c1e6f8023437d26f84b09d052fd3e50642b734f2f2bd12b61652b783fea7c17345b44121876822655"
    "328b60bbdb58aa48ca029fff97e00000000000000022597eb279059ce6087140f1f16e0c608f4b83c445dabfe76b"
    "764205b74eeced08560918c380fe1f6615aa96926bbfd8bddf0a74d63d94ae8f676476c0355f33f6258bfb9453c4"
    "d687dfda30d56645b70a73eaa6e7290c73b601890954177d54897aeff9f8701b48c4d5e48c07beaee38b9c809374"
    "f8352db3a22a2f1e62d3447aa1a9d1434b1f74e0db52b848e02d06e7523cdb6612d1dcd2e3c1025f1b8642572653"
    "b8096339e6dfabca005b814c15e89d3e2")
CURVE_READY = H(
    "0552454144590000000000000001640086d1ab154a21cf6b4b63c8994a57e5b976c483ec0654f901c19a18bef5ba"
    "8a058356adbb7f4fd971d3a3f9629bff74d79f")
CLIENT_MESSAGE = H("074d45535341474500000000000000032392739af151941d8293c3ab21586b77220731a3f5fd")
SERVER_MESSAGE = H("074d4553534147450000000000000002bf22b2efed212f148027e100e02804762076eb04f186")
S_PRIME = H("5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b")
CLIENT_PUBLIC_Z85 = b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SECRET_Z85 = b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"

def zap_message(*parts):
    return b"".join(frame(p, more=i + 1 < len(parts)) for i, p in enumerate(parts))

def zcert(secret):
    text = ("#   ****  Generated on 2024-05-01 12:00:00 by cafmq  ****\n"
            "#   ZeroMQ CURVE Public Certificate\n\n"
            "metadata\n    name = \"fuzz seed\"\n    email = 'a@b.c' # comment\n"
            "curve\n    public-key = \"%s\"\n" % CLIENT_PUBLIC_Z85.decode())
    if secret:
        text += "    secret-key = \"%s\"\n" % CLIENT_SECRET_Z85.decode()
    return text.encode()

def sub_op(kind, who, text):
    return bytes([kind | (who << 4), len(text)]) + text

SEEDS = {
    "greeting": {
        "null_3_1": greeting(b"NULL"),
        "null_3_0": greeting(b"NULL", minor=0),
        "plain_as_server": greeting(b"PLAIN", as_server=True),
        "curve": greeting(b"CURVE"),
        "zmtp_2_0": H("ff00000000000000017f0100"),
        "zmtp_1_0": H("0100"),
    },
    "frame_decoder": {
        "short_and_command": H("0000") + frame(b"hello") + cmd_frame(b"PING", H("0000")),
        "multipart": H("0107") + frame(b"abc", more=True) + frame(b"") + frame(b"def"),
        "long": H("0305") + frame(bytes(range(256)) + b"x"),
        "long_small_size": H("0000") + H("020000000000000003") + b"abc",
        "huge_size": H("0100") + H("02fffffffffffffff0") + b"x" * 16,
        "over_limit": H("0000") + H("020000000000010001"),
    },
    # fuzz_legacy_greeting: our side (bits 0-1 NULL / NULL+ZAP / PLAIN / CURVE, bits 2-7 identity
    # length), a chunk seed, then the peer's bytes.
    "legacy_greeting": {
        "null_v2": H("0c07") + H("ff00000000000000017f0107") + frame(b""),
        "null_v1_versioned": H("0803") + H("ff00000000000000017f0008"),
        "null_v1_unversioned": H("0001") + H("0300") + b"id" + H("0200") + b"x",
        "null_v1_long": H("0402") + H("ff000000000000010000") + b"i" * 255,
        "null_v3": H("0005") + greeting(b"NULL"),
        "plain_v2_refused": H("0209") + H("ff00000000000000017f0108"),
        "zap_v1_refused": H("0103") + H("0100"),
        "http": H("0004") + b"GET / HTTP/1.1\r\n",
    },
    # fuzz_legacy_framing: bit 0 1.0 (else 2.0), bit 1 limit 255, bit 2 direct reads; chunk seed.
    "legacy_framing": {
        "v2_multipart": H("0003") + frame(b"abc", more=True) + frame(b"") + frame(b"d" * 300),
        "v2_reserved": H("0001") + H("0400"),
        "v1_multipart": H("0105") + H("0401") + b"abc" + H("0100") + H("ff000000000000012d00")
                        + b"z" * 300,
        "v1_length_zero": H("0102") + H("0000"),
        "v1_identity_over_255": H("0307") + H("ff000000000000010100") + b"i" * 256,
        "v2_direct_big": H("0409") + frame(bytes(range(256)) * 80),
    },
    "zmtp_command": {
        "plain_hello": PLAIN_HELLO,
        "metadata": DEALER_MD,
        "ready": command(b"READY", ROUTER_MD),
        "error_reason": H("03") + b"400",
        "curve_hello": CURVE_HELLO,
    },
    "null_mechanism": {
        "ready": H("00") + cmd_frame(b"READY", ROUTER_MD),
        "ready_strict": H("01") + cmd_frame(b"READY", ROUTER_MD),
        "error": H("00") + cmd_frame(b"ERROR", H("03") + b"400"),
        "ready_twice": H("02") + cmd_frame(b"READY", ROUTER_MD) * 2,
    },
    "plain_client": {
        "welcome_ready": H("01") + cmd_frame(b"WELCOME") + cmd_frame(b"READY", ROUTER_MD),
        "error_400": H("00") + cmd_frame(b"ERROR", H("03") + b"400"),
        "libzmq_4_3_error": H("00") + frame(H("5e52524f5203") + b"400", command=True),
    },
    "plain_server": {
        "hello_initiate": H("01") + frame(PLAIN_HELLO, command=True)
                          + cmd_frame(b"INITIATE", DEALER_MD),
        "hello_deferred": H("02") + frame(PLAIN_HELLO, command=True)
                          + cmd_frame(b"INITIATE", DEALER_MD),
        "denied_500": H("00") + cmd_frame(b"HELLO", H("0475736572") + H("03") + b"pwd"),
    },
    "curve_server": {
        "transcript": H("00") + frame(CURVE_HELLO, command=True)
                      + frame(CURVE_INITIATE, command=True) + frame(CLIENT_MESSAGE),
        "after_hello": H("01") + frame(CURVE_INITIATE, command=True),
        "sealed_inner": H("02") + frame(bytes(128) + DEALER_MD),
        "sealed_metadata": H("13") + frame(DEALER_MD) + frame(CLIENT_MESSAGE),
        "sealed_metadata_denied": H("0b") + frame(DEALER_MD),
    },
    "curve_client": {
        "transcript": H("00") + frame(CURVE_WELCOME, command=True)
                      + frame(CURVE_READY, command=True) + frame(SERVER_MESSAGE),
        "after_welcome": H("01") + frame(CURVE_READY, command=True),
        "error": H("01") + cmd_frame(b"ERROR", H("03") + b"400"),
        "sealed_ready": H("12") + frame(ROUTER_MD) + frame(SERVER_MESSAGE),
        "sealed_welcome": H("03") + frame(S_PRIME + bytes(96)) + frame(CURVE_READY, command=True),
        "low_order_server_transient": H("03") + frame(bytes(128)),
    },
    "curve_message": {
        "transcript_client_message": H("00") + bytes([len(CLIENT_MESSAGE)]) + CLIENT_MESSAGE,
        "both_ways": H("09") + H("05") + b"Hello" + H("0d") + H("05") + b"World",
        "held_then_replayed": H("02") + H("01") + b"a" + H("01") + H("01") + b"b"
                              + H("03") + H("00") + H("00") + H("00")
                              + H("03") + H("01") + H("00") + H("00"),
        "tampered": H("02") + H("03") + b"abc" + H("03") + H("00") + H("01") + H("20"),
    },
    "zap": {
        "reply_200": zap_message(b"", b"1.0", b"1", b"200", b"OK", b"admin", b""),
        "reply_400_metadata": zap_message(b"", b"1.0", b"1", b"400", b"denied", b"",
                                          metadata((b"Hello", b"World"))),
        "request_plain": zap_message(b"", b"1.0", b"1", b"global", b"127.0.0.1", b"",
                                     b"PLAIN", b"admin", b"password"),
        "request_curve": zap_message(b"", b"1.0", b"1", b"global", b"::1", b"IDENT",
                                     b"CURVE", bytes(range(32))),
    },
    "z85": {
        "hello_world": b"HelloWorld",
        "key": CLIENT_PUBLIC_Z85,
        "max_group": b"%nSc0",
        "over_2_32": b"%nSc1",
        "hashes": b"#####",
    },
    "endpoint": {
        "ipv4": b"tcp://127.0.0.1:5555",
        "any": b"tcp://*:*",
        "ipv6": b"tcp://[::1]:5555",
        "port_0": b"tcp://localhost:0",
        "ipc": b"ipc:///tmp/cafmq",
        "no_port": b"tcp://host",
        "source": b"tcp://127.0.0.1:0;127.0.0.1:5555",
        "ipc_abstract": b"ipc://@cafmq",
        "ipc_any": b"ipc://*",
        "inproc": b"inproc://zeromq.zap.01",
        "nested_brackets": b"tcp://[[]]:0",  # a crash fuzz_endpoint found (EndpointFuzzRegression)
    },
    "subscription": {
        "sub_match_cancel": sub_op(0, 0, b"A") + sub_op(0, 1, b"AB") + sub_op(2, 0, b"ABC")
                            + sub_op(1, 0, b"A") + sub_op(2, 0, b"AB"),
        "messages": sub_op(3, 2, b"\x01news") + sub_op(3, 2, b"newsflash")
                    + sub_op(3, 2, b"\x00news") + sub_op(3, 3, b"\x01"),
        "twice_then_drop": sub_op(0, 1, b"x") * 2 + sub_op(4, 1, b"") + sub_op(2, 0, b"xy"),
    },
    # fuzz_socket: mode byte (bits 0-1 PULL/ROUTER/PUB, bits 2-3 no prefix/greeting/greeting and
    # READY), then the bytes the hostile peer writes after that prefix.
    "socket": {
        "pull_messages": bytes([8]) + frame(b"hello") + frame(b"a", more=True) + frame(b"b"),
        "pull_whole_handshake": bytes([0]) + greeting(b"NULL")
                                + cmd_frame(b"READY", metadata((b"Socket-Type", b"PUSH")))
                                + frame(b"x" * 300),
        "pull_wrong_type": bytes([4]) + cmd_frame(b"READY", metadata((b"Socket-Type", b"PUB"))),
        "pull_huge_frame": bytes([8]) + H("02ffffffffffffffff"),
        "pull_ping": bytes([8]) + cmd_frame(b"PING", b"\x00\x0actx") + cmd_frame(b"PING", b"\x00"),
        "router_messages": bytes([9]) + frame(b"request", more=True) + frame(b"body"),
        # A command declaring 16 GiB after the handshake: the allocation is refused (ASan's
        # max_allocation_size_mb in the target) and the connection dropped, never an OOM.
        "router_huge_command": bytes([9]) + H("060000000400000000") + b"SUBSCRIBE",
        "pub_subscribe": bytes([10]) + cmd_frame(b"SUBSCRIBE", b"legit") + frame(b"\x01news")
                         + cmd_frame(b"CANCEL", b"legit") + frame(b"not a subscription"),
        "zmtp_2_0": bytes([2]) + H("ff00000000000000017f0100"),
    },
    # fuzz_mdp_codec: one message, each frame as a ZMTP frame (the MORE flag is ignored).
    "mdp_codec": {
        "client_request": mdp(b"C1", b"", b"MDPC01", b"echo", b"hello"),
        "proxied_request": mdp(b"P", b"C1", b"", b"MDPC01", b"echo", b"a", b"", b"b"),
        "ready": mdp(b"W", b"", b"MDPW01", b"\x01", b"echo"),
        "reply": mdp(b"W", b"", b"MDPW01", b"\x03", b"C1", b"", b"done"),
        "heartbeat": mdp(b"W", b"", b"MDPW01", b"\x04"),
        "to_worker": mdp(b"", b"MDPW01", b"\x02", b"C1", b"", b"work"),
        "to_client": mdp(b"", b"MDPC01", b"echo", b"done"),
        "bad_command": mdp(b"W", b"", b"MDPW01", b"\x09"),
    },
    "zcert": {
        "public": zcert(secret=False),
        "secret": zcert(secret=True),
    },
}

def main():
    for target, seeds in SEEDS.items():
        folder = os.path.join(CORPUS, target)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for name, data in seeds.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
    print("make_seeds: %d seeds for %d targets in %s"
          % (sum(len(s) for s in SEEDS.values()), len(SEEDS), CORPUS))

if __name__ == "__main__":
    main()
