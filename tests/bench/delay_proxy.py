#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP proxy that adds network latency, for the latency table of tests/bench/run.sh.

    delay_proxy.py RTT_MS LISTEN_PORT:TARGET_PORT [LISTEN_PORT:TARGET_PORT ...]

Listens on 127.0.0.1:LISTEN_PORT (0: a free port) and forwards every connection to
127.0.0.1:TARGET_PORT. Every
chunk read from one side reaches the other side RTT/2 later (one-way delay per direction), in the
order it was read; chunks are not held back behind each other's delays, so a pipelined flight
costs one delay, not one per chunk. A connection's TCP handshake costs what it costs on a real
path: the server side connects 1.5 RTT after the client's connect (SYN, SYN-ACK, ACK), and what
the client sent before that waits for it (a real client could not have sent it before 1 RTT).
Prints "ready PORT..." (the listening ports, in argument order) once every port listens; runs
until killed (SIGTERM).

Python stdlib only (asyncio). The kernel has no netem here (tests/bench/README.md). The proxy
acknowledges what it reads at once (TCP_QUICKACK on both sides) and sends without Nagle
(TCP_NODELAY), so it adds no delayed-ACK stalls of its own: every client meets the same clean
path, and the delays are the ones asked for.
"""
import asyncio
import collections
import socket
import sys

CHUNK = 65536


def tune(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def quick_ack(sock):
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass


class Direction:
    """One direction of one connection: chunks with their due times, written in order."""

    def __init__(self, delay, not_before):
        self.delay = delay
        self.not_before = not_before  # loop time before which nothing may be delivered
        self.queue = collections.deque()
        self.ready = asyncio.Event()

    async def read_from(self, reader, sock):
        loop = asyncio.get_running_loop()
        while True:
            try:
                data = await reader.read(CHUNK)
            except OSError:
                data = b""
            quick_ack(sock)
            self.queue.append((loop.time() + self.delay, data))
            self.ready.set()
            if not data:
                return

    async def write_to(self, writer_future):
        loop = asyncio.get_running_loop()
        writer = None
        while True:
            while not self.queue:
                self.ready.clear()
                await self.ready.wait()
            due, data = self.queue.popleft()
            wait = max(due, self.not_before) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)  # the simulated latency itself, not a synchronisation
            if writer is None:
                writer = await writer_future
            if not data:
                try:
                    if writer.can_write_eof():
                        writer.write_eof()
                except OSError:
                    pass
                return
            try:
                writer.write(data)
                await writer.drain()
            except OSError:
                return


async def serve(one_way, target, client_reader, client_writer):
    loop = asyncio.get_running_loop()
    client_sock = tune(client_writer)
    opened = loop.time()
    upstream = loop.create_future()
    up = Direction(one_way, opened + 3 * one_way)  # arrives with/after the handshake's ACK
    down = Direction(one_way, opened)
    up_task = asyncio.ensure_future(up.write_to(upstream))
    # asyncio.sleep(0, x): an awaitable of x that is ready at once (no delay).
    down_task = asyncio.ensure_future(down.write_to(asyncio.sleep(0, client_writer)))
    read_up = asyncio.ensure_future(up.read_from(client_reader, client_sock))
    try:
        # The simulated handshake latency, not a synchronisation: SYN, SYN-ACK, ACK, the server
        # accepts 1.5 RTT later.
        await asyncio.sleep(3 * one_way)
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        server_sock = tune(server_writer)
        upstream.set_result(server_writer)
        read_down = asyncio.ensure_future(down.read_from(server_reader, server_sock))
        await asyncio.gather(up_task, down_task, read_up, read_down, return_exceptions=True)
        server_writer.close()
    except OSError:
        for task in (up_task, down_task, read_up):
            task.cancel()
    finally:
        client_writer.close()


async def main(rtt_ms, pairs):
    one_way = rtt_ms / 2000.0
    servers = []
    for listen, target in pairs:
        servers.append(await asyncio.start_server(
            lambda r, w, t=target: serve(one_way, t, r, w), "127.0.0.1", listen))
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    print("ready " + " ".join(str(p) for p in ports), flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rtt = float(sys.argv[1])
    ports = [tuple(int(p) for p in arg.split(":")) for arg in sys.argv[2:]]
    try:
        asyncio.run(main(rtt, ports))
    except KeyboardInterrupt:
        pass
