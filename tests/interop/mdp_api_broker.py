#!/usr/bin/python3
"""A Majordomo (MDP/0.1) broker written from RFC 7 with pyzmq, for cafmq's client and worker.

Usage: mdp_api_broker.py ENDPOINT HEARTBEAT_MS [LIVENESS]
One ROUTER bound on ENDPOINT (a wildcard port is fine); prints "bound <endpoint>" once listening,
then "stats <json>" on every change of its counters. Runs until SIGTERM.

RFC 7, as this broker applies it:
- client -> broker: [client] "" "MDPC01" service body...; the reply goes back the same way.
- worker -> broker: [worker] "" "MDPW01" command ...: READY service / REPLY client "" body /
  HEARTBEAT / DISCONNECT. broker -> worker: REQUEST client "" body / HEARTBEAT / DISCONNECT.
- A worker's first command must be READY; any other command from an unknown worker, or a READY
  from a known one, gets DISCONNECT.
- Requests go to the least recently used waiting worker of their service; they wait in a queue
  while the service has none.
- The broker heartbeats every waiting or busy worker each HEARTBEAT_MS; a worker silent for
  LIVENESS x HEARTBEAT_MS is forgotten (and its request with it: the client retries).
"""
import json
import signal
import sys
import threading
import time

import zmq

C_CLIENT = b"MDPC01"
W_WORKER = b"MDPW01"
READY, REQUEST, REPLY, HEARTBEAT, DISCONNECT = (bytes([i]) for i in range(1, 6))


class Worker:
    def __init__(self, address, service, expiry):
        self.address = address
        self.service = service
        self.expiry = expiry


class Broker:
    def __init__(self, endpoint, heartbeat_ms, liveness):
        self.ctx = zmq.Context()
        self.socket = self.ctx.socket(zmq.ROUTER)
        self.socket.linger = 0
        self.socket.bind(endpoint)
        self.endpoint = self.socket.getsockopt_string(zmq.LAST_ENDPOINT)
        self.heartbeat = heartbeat_ms / 1000.0
        self.liveness = liveness
        self.workers = {}   # address -> Worker
        self.waiting = {}   # service -> [Worker] (least recently used first)
        self.queues = {}    # service -> [(client, body)]
        self.counts = {"requests": 0, "replies": 0, "readies": 0, "expired": 0,
                       "disconnects_sent": 0, "malformed": 0}
        self.reported = None

    def expiry(self):
        return time.monotonic() + self.heartbeat * self.liveness

    def send_worker(self, address, command, *frames):
        self.socket.send_multipart([address, b"", W_WORKER, command, *frames])

    def delete_worker(self, worker, disconnect):
        if disconnect:
            self.send_worker(worker.address, DISCONNECT)
            self.counts["disconnects_sent"] += 1
        self.workers.pop(worker.address, None)
        waiting = self.waiting.get(worker.service, [])
        if worker in waiting:
            waiting.remove(worker)

    def dispatch(self, service):
        waiting = self.waiting.get(service, [])
        queue = self.queues.get(service, [])
        while waiting and queue:
            worker = waiting.pop(0)
            client, body = queue.pop(0)
            self.send_worker(worker.address, REQUEST, client, b"", *body)

    def on_client(self, sender, frames):
        if len(frames) < 2 or not frames[0]:
            self.counts["malformed"] += 1
            return
        service, body = frames[0], frames[1:]
        self.counts["requests"] += 1
        self.queues.setdefault(service, []).append((sender, body))
        self.dispatch(service)

    def on_worker(self, sender, frames):
        if not frames:
            self.counts["malformed"] += 1
            return
        command, rest = frames[0], frames[1:]
        worker = self.workers.get(sender)
        if command == READY:
            if worker is not None or len(rest) != 1 or not rest[0]:
                if worker is not None:
                    self.delete_worker(worker, True)
                else:
                    self.send_worker(sender, DISCONNECT)
                    self.counts["disconnects_sent"] += 1
                return
            worker = Worker(sender, rest[0], self.expiry())
            self.workers[sender] = worker
            self.counts["readies"] += 1
            self.waiting.setdefault(worker.service, []).append(worker)
            self.dispatch(worker.service)
            return
        if worker is None:
            self.send_worker(sender, DISCONNECT)
            self.counts["disconnects_sent"] += 1
            return
        worker.expiry = self.expiry()
        if command == REPLY:
            if b"" not in rest:
                self.counts["malformed"] += 1
                return
            split = rest.index(b"")
            client, body = rest[:split], rest[split + 1:]
            self.socket.send_multipart([*client, b"", C_CLIENT, worker.service, *body])
            self.counts["replies"] += 1
            self.waiting.setdefault(worker.service, []).append(worker)
            self.dispatch(worker.service)
        elif command == HEARTBEAT:
            pass
        elif command == DISCONNECT:
            self.delete_worker(worker, False)
        else:
            self.counts["malformed"] += 1

    def on_message(self, msg):
        if len(msg) < 3 or msg[1] != b"":
            self.counts["malformed"] += 1
            return
        sender, protocol, frames = msg[0], msg[2], msg[3:]
        if protocol == C_CLIENT:
            self.on_client(sender, frames)
        elif protocol == W_WORKER:
            self.on_worker(sender, frames)
        else:
            self.counts["malformed"] += 1

    def heartbeat_and_purge(self):
        now = time.monotonic()
        for worker in list(self.workers.values()):
            if worker.expiry < now:
                self.delete_worker(worker, False)
                self.counts["expired"] += 1
            else:
                self.send_worker(worker.address, HEARTBEAT)

    def report(self):
        line = json.dumps(self.counts, sort_keys=True)
        if line != self.reported:
            self.reported = line
            print("stats " + line, flush=True)

    def run(self, stop):
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        next_heartbeat = time.monotonic() + self.heartbeat
        while not stop.is_set():
            timeout = max(0.0, next_heartbeat - time.monotonic())
            for _ in poller.poll(min(timeout, 0.1) * 1000):
                while True:
                    try:
                        self.on_message(self.socket.recv_multipart(zmq.NOBLOCK))
                    except zmq.Again:
                        break
            if time.monotonic() >= next_heartbeat:
                self.heartbeat_and_purge()
                next_heartbeat = time.monotonic() + self.heartbeat
            self.report()
        self.socket.close()
        self.ctx.term()


def main():
    endpoint, heartbeat_ms = sys.argv[1], int(sys.argv[2])
    liveness = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    broker = Broker(endpoint, heartbeat_ms, liveness)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("bound " + broker.endpoint, flush=True)
    broker.run(stop)


if __name__ == "__main__":
    main()
