#!/usr/bin/env python3
# A slow link for the lab, where tc netem is not available (this kernel has no sch_netem): every packet the
# router sends into a TUN device is held for --delay-ms, then handed back to the kernel through the same
# device, which routes it on (topology.ts steers one link's traffic both ways through it: a delay each way).
#   delay.py --dev tun-delay --delay-ms 150 [--ready-fd 3]
# Writes "ready" to --ready-fd once attached (lab.ts waits for it). Runs until killed with its namespace.
import argparse
import collections
import fcntl
import os
import select
import struct
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

ap = argparse.ArgumentParser()
ap.add_argument('--dev', required=True)
ap.add_argument('--delay-ms', type=float, required=True)
ap.add_argument('--ready-fd', type=int)
a = ap.parse_args()
delay = a.delay_ms / 1000

fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', a.dev.encode(), IFF_TUN | IFF_NO_PI))
os.set_blocking(fd, False)
if a.ready_fd is not None:
    os.write(a.ready_fd, b'ready\n')
    os.close(a.ready_fd)
print(f'delaying {a.dev} by {a.delay_ms} ms', flush=True)

# One constant delay: due times arrive in order, a FIFO is enough.
held = collections.deque()
while True:
    wait = max(0.0, held[0][0] - time.monotonic()) if held else None
    readable, _, _ = select.select([fd], [], [], wait)
    if readable:
        now = time.monotonic()
        while True:
            try:
                held.append((now + delay, os.read(fd, 65535)))
            except BlockingIOError:
                break
    now = time.monotonic()
    while held and held[0][0] <= now:
        try:
            os.write(fd, held.popleft()[1])
        except OSError:
            pass  # a packet the kernel refuses back is a lost packet, as on a real link
