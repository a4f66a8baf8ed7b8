#!/usr/bin/env bash
# Sanitizer runs (docs/security-testing.md):
#   asan  the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on)
#   tsan  the data plane and the actor/I-O boundary under ThreadSanitizer: rings, pipes, kicks,
#         the sockets' fast paths, direct writes, engines with CURVE and authenticators
#         answering from other threads, shutdown, linger aborted from another thread, the log sink,
#         the supervision faults, I/O threads, user-callback threads and a user-owned actor system
# scripts/sanitize.sh [asan|tsan|all] (default all). Installs the dependencies first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
which=${1:-all}
bash scripts/install-deps.sh

if [ "$which" = asan ] || [ "$which" = all ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCAFMQ_SANITIZE=ON -DCAFMQ_BUILD_BENCH=OFF
  cmake --build build-asan -j"$(nproc)"
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 600
fi

if [ "$which" = tsan ] || [ "$which" = all ]; then
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAFMQ_TSAN=ON -DCAFMQ_BUILD_BENCH=OFF
  cmake --build build-tsan -j"$(nproc)" --target cafmq_unit_tests cafmq_integration_tests \
    cafmq_asio_tests asio_coroutines lazy_pirate actor_service proxy_workers paranoid_pirate majordomo_echo \
    hello_world weather pipeline curve_pub_sub
  tsan_tests='SpscRing|Signaler|Rfc30|Rfc23|DirectWrites|Rfc28|PubSub|Rfc29|Heartbeat|Curve|Plain|MessageProperties|ZapHandler|Reconnect|ContextShutdown|Linger|SlowConsumer|SendBudget|ByteLimits|AuthenticatorActor|MaxPendingHandshakes|Cve2020_15166|Cve2021_20234|kick_queue|FastSendPath|FastRecvPath|ReadBursts|AsyncWriteAll|LogSink|Log\.|AsyncAuthentication|ConnectionEndCodes|EngineFaultIsolation|EventCallbackThread|IoPool|IoThreads|MonitorHubCallbacks|SupervisionFaults|TcpTransport|UserActorSystem|UserExecutor|Readiness|ThreadChecks|SupervisionKills|Poller|SocketMove|ActorSocket|AsioCompletion|AsioOrder|AsioShutdown|AsioBackpressure|example:|Unbind|Disconnect|LiveOptions|LegacyPeer|TcpBind|TcpConnect|NullZap|InprocPatterns|InprocLifecycle|ZapInproc|IpcTransport|IpcExistingPath|IpcFilters|IpcSecurity|ProxyForwarding|ProxySteering|PppQueue|PppHeartbeat|MdpBroker|MdpClient|MdpWorker|ExhaustionAccept|ExhaustionLog|LogLimit|HandshakeStorm|SpscRingGrowth|IdleConnectionMemory|RecvBudget|MemoryTrim|DescriptorWatch'
  ctest --test-dir build-tsan --output-on-failure -j2 --timeout 600 -R "$tsan_tests"
fi
