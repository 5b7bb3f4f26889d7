"""RedisChannelLayer vs RedisPubSubChannelLayer for the hub's traffic pattern.

The hub's pattern: every server process has ONE channel in ONE group; every committed
change is one ``group_send``. This measures, for each layer, with ``P`` hub channels:
group_send throughput, send->receive latency, Redis commands per change (INFO
commandstats), and whether a burst larger than the channel capacity loses events.

    REDIS_URL=redis://127.0.0.1:6379/0 python -m benchmarks.channel_layers
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

import redis

LAYERS = {
    "RedisChannelLayer": "channels_redis.core.RedisChannelLayer",
    "RedisPubSubChannelLayer": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
GROUP = "bench.changes"


def make_layer(path: str, url: str):
    module, name = path.rsplit(".", 1)
    cls = getattr(__import__(module, fromlist=[name]), name)
    return cls(hosts=[{"address": url, "socket_timeout": 30}] if "core" in path else [url])


def commands(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return sum(
        v["calls"]
        for k, v in stats.items()
        if "bzpopmin" not in k and "info" not in k and "config" not in k
    )


async def run(path: str, url: str, processes: int, changes: int, burst: int) -> dict[str, float]:
    sender = make_layer(path, url)
    hubs = [make_layer(path, url) for _ in range(processes)]  # one layer per "process"
    channels = [await hub.new_channel("hub.") for hub in hubs]
    for hub, channel in zip(hubs, channels, strict=True):
        await hub.group_add(GROUP, channel)
    await asyncio.sleep(0.2)
    latencies: list[float] = []
    received = [0] * processes

    running = asyncio.Event()
    running.set()
    bursts = [0] * processes

    async def listen(i: int) -> None:
        while True:
            await running.wait()  # paused = a busy event loop: nobody calls receive()
            message = await hubs[i].receive(channels[i])
            if "burst" in message:
                bursts[i] += 1
                continue
            received[i] += 1
            latencies.append(time.perf_counter() - message["t"])

    listeners = [asyncio.create_task(listen(i)) for i in range(processes)]
    client = redis.Redis.from_url(url)
    client.config_resetstat()
    before = commands(client)
    started = time.perf_counter()
    for n in range(changes):
        await sender.group_send(GROUP, {"type": "dgl.change", "n": n, "t": time.perf_counter()})
        await asyncio.sleep(0)
    while sum(received) < changes * processes and time.perf_counter() - started < 30:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    per_change = (commands(client) - before) / changes
    # A burst sent while the hubs are not receiving (a busy event loop): what survives?
    running.clear()
    await asyncio.sleep(6)  # let in-flight blocking receives (5 s BZPOPMIN) return
    for n in range(burst):
        await sender.group_send(GROUP, {"type": "dgl.change", "n": n, "burst": True, "t": 0})
    running.set()
    await asyncio.sleep(3)
    got = min(bursts)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    return {
        "changes_per_s": changes / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
        "redis_cmds_per_change": per_change,
        "delivered": sum(received) / (changes * processes),
        "burst_kept": got / burst,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    print(f"{args.processes} hub channels, {args.changes} group_sends, burst of {args.burst}")
    print(
        "| layer | changes/s | p50 ms | p99 ms | Redis commands/change | delivered | burst kept |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, path in LAYERS.items():
        r = asyncio.run(run(path, url, args.processes, args.changes, args.burst))
        print(
            f"| {name} | {r['changes_per_s']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['redis_cmds_per_change']:.1f} | {r['delivered']:.3f} | {r['burst_kept']:.2f} |"
        )


if __name__ == "__main__":
    main()
