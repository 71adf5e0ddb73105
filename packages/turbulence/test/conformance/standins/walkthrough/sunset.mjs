/**
 * Stand-in for the tutorial's sunset service: HTTPS on SUNSET_PORT (default 8443), `GET /city/<name>` asks astre
 * (ASTRE_URL) over TLS **with verification** against `ca.pem` from its cwd, and answers 200 with astre's answer or
 * 500 with the TLS error (e.g. CERT_HAS_EXPIRED once astre serves the expired certificate).
 * Writes `sunset.pid` in its cwd.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { die, envPort, sendJson } from '../lib/serve.mjs';
import { serveTls } from './tls.mjs';

const astreUrl = process.env.ASTRE_URL ?? die('ASTRE_URL is not set');

/** One request to astre on a fresh connection (no agent: no TLS session resumed from before a reload). */
function askAstre(city) {
  return new Promise((resolve, reject) => {
    const req = get(`${astreUrl}/astre/${city}`, { ca: readFileSync('ca.pem'), agent: false, timeout: 2000 }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c) => (body += c));
      r.on('end', () => resolve({ status: r.statusCode ?? 502, body }));
    });
    req.on('timeout', () => req.destroy(new Error('astre timed out')));
    req.on('error', reject);
  });
}

await serveTls('sunset', envPort('SUNSET_PORT', 8443), (req, res) => {
  const m = /^\/city\/([^/?]+)/.exec(req.url ?? '');
  if (!m) return sendJson(res, 404, { error: 'try /city/<name>' });
  askAstre(m[1]).then(
    (a) => sendJson(res, a.status, JSON.parse(a.body)),
    (err) => sendJson(res, 500, { error: `astre: ${err.code ?? err.message}` }),
  );
});
