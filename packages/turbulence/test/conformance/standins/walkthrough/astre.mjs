/**
 * Stand-in for the tutorial's astre service: HTTPS, `GET /astre/<city>` answers the city's sunset time.
 * Environment: ASTRE_PORT (0 or absent: any free port, printed in the READY line). Writes `astre.pid` in its cwd.
 */
import { envPort, sendJson } from '../lib/serve.mjs';
import { serveTls } from './tls.mjs';

const SUNSETS = { paris: '17:56', london: '16:01', tokyo: '16:29' };

await serveTls('astre', envPort('ASTRE_PORT', 0), (req, res) => {
  const m = /^\/astre\/([^/?]+)/.exec(req.url ?? '');
  const city = m ? decodeURIComponent(m[1]).toLowerCase() : '';
  const sunset = SUNSETS[city];
  if (sunset === undefined) return sendJson(res, 404, { error: `unknown city ${JSON.stringify(city)}` });
  sendJson(res, 200, { city, sunset });
});
