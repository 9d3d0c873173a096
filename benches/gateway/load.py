#!/usr/bin/env python3
"""Messages per second through `mm7 gateway`, for BENCHMARKS.md ("Gateway").

Starts `mm7 mmsc` (no delivery reports) and one or more `mm7 gateway` nodes in front of it
(the TPS limit off: 100000), POSTs N text messages over C keep-alive connections spread over the
nodes, and prints:
  - accepted/s: 202 answers per second (each committed before it is answered);
  - end to end/s: messages accepted and submitted to the MMSC (every one `sent`), per second.

    benches/gateway/load.py MM7_BINARY WORKDIR [N=3000] [CONNECTIONS=16] [NODES=1] [POSTGRES_URL]

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


async def poster(port, jobs, accepted):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while jobs:
        n = jobs.pop()
        body = json.dumps({"from": "63901", "to": ["15551234567"], "text": f"load {n}"}).encode()
        status, answer = await request(reader, writer, "POST", "/v1/messages", body)
        if status != 202:
            sys.exit(f"POST answered {status}: {answer!r}")
        accepted.append((json.loads(answer)["id"], time.time()))
    writer.close()


async def main():
    binary, work = sys.argv[1], sys.argv[2]
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    nodes = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    postgres = sys.argv[6] if len(sys.argv) > 6 else None
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
        jobs = list(range(total))
        accepted = []
        began = time.time()
        await asyncio.gather(*(poster(ports[i % nodes], jobs, accepted)
                               for i in range(connections)))
        posted = time.time() - began
        reader, writer = await asyncio.open_connection("127.0.0.1", ports[0])
        pending = [id for id, _ in accepted]
        while pending:
            status, answer = await request(reader, writer, "GET", f"/v1/messages/{pending[-1]}")
            if json.loads(answer)["status"] in ("sent", "failed"):
                pending.pop()
            else:
                await asyncio.sleep(0.05)
        done = time.time() - began
        rows = subprocess.run([binary, "store", "list", os.path.join(work, "mmsc"), "--json"],
                              capture_output=True, text=True, check=True).stdout.splitlines()
    finally:
        for proc in gateways + [mmsc]:
            proc.terminate()
            proc.wait()
    arrivals = sorted(json.loads(r)["received_at"] for r in rows)
    print(f"nodes: {nodes} ({'PostgreSQL' if postgres else 'SQLite'}), connections: {connections}")
    print(f"accepted: {len(accepted)} in {posted:.2f} s = {len(accepted) / posted:.0f}/s")
    print(f"end to end (all sent, {len(rows)} at the MMSC): {done:.2f} s = "
          f"{len(accepted) / done:.0f}/s")
    print(f"first arrival {arrivals[0]}, last {arrivals[-1]}")


asyncio.run(main())
