/** "192.168.10.52:80", "[fd00::1]:80", or the bare address without a port. */
export function hostPort(ip: string, port: number | undefined): string {
  if (port === undefined) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Milliseconds as people read them: one decimal below 10 ms. */
export const fmtMs = (n: number): string => (n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`);
