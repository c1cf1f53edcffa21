// What an API fault is called in a note: a socket error, an HTTP status, a reply that is not JSON (rest.ts).

const TLS_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A socket-level error code (Node's or undici's) in words a network engineer reads. */
export function transportWords(code: string): string {
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return `connection reset by the server (${code})`;
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `connect timed out (${code})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `server name not resolved (${code})`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `no route to the server (${code})`;
  if (TLS_UNTRUSTED.has(code)) {
    return `TLS: the server's certificate is not trusted (${code}); check certificate-authority / certificate-authority-data in the kubeconfig, or the service account's ca.crt`;
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return `TLS handshake failed (${code})`;
  return code;
}

/** An HTTP status the API answered with, in words. */
export function httpWords(code: number, retryAfter?: string): string {
  const name = HTTP[code] ?? (code >= 500 ? 'server error' : 'error');
  const wait = code === 429 && retryAfter ? `, Retry-After ${retryAfter} s` : '';
  return `${code} ${name}${wait}`;
}

const HTTP: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Retry-After in ms (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The start of a body that was expected to be JSON, for the note. */
export function bodyExcerpt(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s ? `"${s.slice(0, 60)}${s.length > 60 ? '…' : ''}"` : 'an empty body';
}
