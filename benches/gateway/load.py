#!/usr/bin/env python3
"""Messages per second through `mm7 gateway`, for BENCHMARKS.md ("Gateway").

Starts `mm7 mmsc` (no delivery reports) and one or more `mm7 gateway` nodes in front of it
(the TPS limit off: 100000), POSTs N text messages over C keep-alive connections spread over the
nodes, and prints:
  - accepted/s: 202 answers per second (each committed before it is answered);
  - end to end/s: messages accepted and submitted to the MMSC (every one `sent`), per second;
  - the queueing latency of each message: from its `queued` entry in the status history
    (committed just before the 202) to its `sent` entry (the MMSC's 1000 recorded), both
    stamped by the gateway that wrote them (milliseconds): median, p99 and max.

    benches/gateway/load.py [--rate=R] MM7_BINARY WORKDIR [N=3000] [CONNECTIONS=16] [NODES=1]
                            [POSTGRES_URL]

With --rate=R the POSTs are paced: message n is posted at n / R seconds from the start (or as
soon as a connection is free, if late), to measure the latency below the maximum rate.

With POSTGRES_URL the nodes share that database (it must be empty: a fresh database); without
it, one node on SQLite in WORKDIR. Python's asyncio is the client and takes a share of the 2
cores, the same in every run: compare figures of one machine only.
"""
import asyncio
import json
import os
import subprocess
import sys
import time


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    """User and system CPU time a process used so far (Linux `/proc`), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def start(cmd, marker):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while True:
        line = proc.stderr.readline()
        if not line:
            sys.exit(f"{cmd[1]} did not start")
        if marker in line:
            return proc, line


async def request(reader, writer, method, path, body=b""):
    writer.write(
        b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (method.encode(), path.encode(), len(body), body)
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def poster(port, jobs, accepted, pace):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while jobs:
        n = jobs.pop()
        if pace:
            began, rate = pace
            wait = began + n / rate - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        body = json.dumps({"from": "63901", "to": ["15551234567"], "text": f"load {n}"}).encode()
        status, answer = await request(reader, writer, "POST", "/v1/messages", body)
        if status != 202:
            sys.exit(f"POST answered {status}: {answer!r}")
        accepted.append((json.loads(answer)["id"], time.time()))
    writer.close()


def at_ms(stamp):
    """Unix milliseconds of an RFC 3339 time of the history (`2026-12-04T08:30:00.123Z`)."""
    import datetime
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000


def stamps_ms(view):
    """The first time of each status in a message's history (Unix milliseconds)."""
    stamps = {}
    for entry in view["history"]:
        stamps.setdefault(entry["status"], at_ms(entry["at"]))
    return stamps


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def main():
    rate = None
    args = []
    for arg in sys.argv[1:]:
        if arg.startswith("--rate="):
            rate = float(arg.split("=", 1)[1])
        else:
            args.append(arg)
    binary, work = args[0], args[1]
    total = int(args[2]) if len(args) > 2 else 3000
    connections = int(args[3]) if len(args) > 3 else 16
    nodes = int(args[4]) if len(args) > 4 else 1
    postgres = args[5] if len(args) > 5 else None
    os.makedirs(work, exist_ok=True)
    mmsc, line = start([binary, "mmsc", "--listen", "127.0.0.1:0", "--no-ui", "--store",
                        os.path.join(work, "mmsc"), "--dlr-after", "1h", "--retry-window", "0"],
                       " listening on ")
    mmsc_url = line.split(" listening on ")[1].split()[0]
    ports, gateways = [], []
    for node in range(nodes):
        port = free_port()
        cmd = [binary, "gateway", "--listen", f"127.0.0.1:{port}", "--mmsc-url", mmsc_url,
               "--tps", "100000", "--max-in-flight", "16",
               "--data-dir", os.path.join(work, f"gateway-{node}")]
        if postgres:
            cmd += ["--database", postgres]
        gateways.append(start(cmd, " listening on ")[0])
        ports.append(port)
    try:
        # Popped from the end: message 0 first.
        jobs = list(range(total))[::-1]
        accepted = []
        began = time.time()
        pace = (began, rate) if rate else None
        await asyncio.gather(*(poster(ports[i % nodes], jobs, accepted, pace)
                               for i in range(connections)))
        posted = time.time() - began
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[0])
        pending = [id for id, _ in accepted]
        latencies, last_sent = [], 0
        while pending:
            status, answer = await request(reader, writer, "GET", f"/v1/messages/{pending[-1]}")
            view = json.loads(answer)
            if view["status"] in ("sent", "failed"):
                pending.pop()
                stamps = stamps_ms(view)
                if "queued" in stamps and "sent" in stamps:
                    latencies.append(stamps["sent"] - stamps["queued"])
                    last_sent = max(last_sent, stamps["sent"])
            else:
                await asyncio.sleep(0.05)
        # When this loop saw the last one sent (it reads every message once: an overestimate),
        # and when the last one was recorded sent.
        done = time.time() - began
        sent = last_sent / 1000 - began
        rows = subprocess.run([binary, "store", "list", os.path.join(work, "mmsc"), "--json"],
                              capture_output=True, text=True, check=True).stdout.splitlines()
        cpu = [("mmsc", cpu_seconds(mmsc.pid))] + [
            (f"gateway-{n}", cpu_seconds(g.pid)) for n, g in enumerate(gateways)]
        cpu.append(("client", time.process_time()))
    finally:
        for proc in gateways + [mmsc]:
            proc.terminate()
            proc.wait()
    arrivals = sorted(json.loads(r)["received_at"] for r in rows)
    print(f"nodes: {nodes} ({'PostgreSQL' if postgres else 'SQLite'}), connections: {connections}"
          + (f", paced at {rate:.0f}/s" if rate else ""))
    print(f"accepted: {len(accepted)} in {posted:.2f} s = {len(accepted) / posted:.0f}/s")
    print(f"end to end, to the last `sent` recorded ({len(rows)} at the MMSC): {sent:.2f} s = "
          f"{len(accepted) / sent:.0f}/s")
    print(f"end to end, to the poll's seeing every message sent: {done:.2f} s = "
          f"{len(accepted) / done:.0f}/s")
    print(f"first arrival {arrivals[0]}, last {arrivals[-1]}")
    print("CPU seconds used (whole run, with the poll): " + ", ".join(
        f"{name} {seconds:.2f}" for name, seconds in cpu if seconds is not None))
    if latencies:
        print(f"queueing latency (queued to sent), ms: median {percentile(latencies, 0.5):.0f}, "
              f"p99 {percentile(latencies, 0.99):.0f}, max {max(latencies):.0f} "
              f"({len(latencies)} messages)")


asyncio.run(main())
