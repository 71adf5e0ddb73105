/**
 * The shared control-API auth table (`test/support/control-auth-cases.ts`) against every control API: the proxy
 * API, the DNS control API, and the zero-dependency failpoint endpoint of `@turbulence/failpoints`.
 */
import { serve } from '../../../failpoints/src/server.js';
import { createDnsServer } from '../../src/dns/server.js';
import { createProxyServer } from '../../src/proxy/server.js';
import { controlAuthCases, send } from '../support/control-auth-cases.js';

controlAuthCases('proxy API', {
  async start({ host, token }) {
    const server = await createProxyServer({ host, port: 0, ...(token ? { token } : {}) });
    return { url: server.url, close: () => server.close() };
  },
  read: '/proxies',
  write: { method: 'POST', path: '/proxies', body: { name: `p${Math.random()}`, upstream: '127.0.0.1:9' } },
  state: async (api) => (await send(api.url, 'GET', '/proxies', { 'User-Agent': 't' })).text,
  bodyLimit: 4 * 1024 * 1024,
});

controlAuthCases('DNS control API', {
  async start({ host, token }) {
    const server = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: '127.0.0.1:9',
      api: `${host}:0`,
      ...(token ? { apiToken: token } : {}),
    });
    const { api } = await server.start();
    return { url: api as string, close: () => server.close() };
  },
  read: '/rules',
  write: { method: 'POST', path: '/rules', body: { name: 'auth.test', action: 'nxdomain' } },
  state: async (api) => (await send(api.url, 'GET', '/rules', { 'User-Agent': 't' })).text,
  bodyLimit: 1024 * 1024,
});

controlAuthCases('failpoint endpoint', {
  async start({ host, token }) {
    const server = await serve({ address: `${host}:0`, ...(token ? { token } : {}) });
    return { url: server.address, close: () => server.close() };
  },
  read: '/failpoints',
  write: { method: 'POST', path: '/failpoints/auth.case', body: { actions: 'return(1)' } },
  state: async (api) => (await send(api.url, 'GET', '/failpoints', { 'User-Agent': 't' })).text,
  bodyLimit: 1024 * 1024,
});
