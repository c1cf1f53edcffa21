// One application exchange on the connection TCP opened (HTTP, TLS, Redis, MySQL, PostgreSQL).
import { fmtMs, hostPort } from '../../net/format.ts';
import { appProtocol, probeApp } from '../app.ts';
import { defineProbe } from '../kind.ts';

/** A service answers its first message at once or not at all. */
const APP_MAX_MS = 1000;

export const app = defineProbe({
  name: 'app',
  after: 'tcp',
  start(s) {
    const protocol = appProtocol(s.target);
    if (!s.connected || !protocol) return undefined;
    return probeApp(s.connected, protocol, s.target.host, Math.max(100, Math.min(APP_MAX_MS, s.timeoutMs - s.usedMs() - 100)));
  },
  label: (_, r) => r?.protocol ?? 'app',
  dest: (aim) => hostPort(aim.ip ?? aim.host, aim.port),
  text: (r) => `${r.protocol} ${r.status} ${fmtMs(r.ms)}${r.reply ? ` (${r.reply})` : ''}`,
  brief: (r) => `${r.protocol} ${r.status}`,
  row: (r) => ({
    outcome: r.status === 'ok' ? 'answered' : r.status === 'auth-required' ? 'wants auth' : r.status,
    detail: r.reply,
    tone: r.status === 'ok' || r.status === 'auth-required' ? 'good' : r.status === 'denied' ? 'bad' : 'warn',
  }),
});
