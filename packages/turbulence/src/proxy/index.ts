/**
 * The Toxiproxy-compatible proxy: server, typed client, toxic contract and built-in toxics.
 */
export { createProxyServer, type ProxyServer, type ProxyServerOptions } from './server.js';
export { ProxyClient, ProxyClientError, type ProxyClientOptions, type ConnectionInfo } from './client.js';
export type { ProxyJson } from './proxy.js';
export type { ToxicJson } from './toxic-record.js';
export type { ToxicInput } from './toxic-spec.js';
export type { ProxyInput } from './proxy-spec.js';
export type { ProxyEvent } from './events.js';
export type { AcceptDecision, AnyToxicType, Direction, Sink, StageContext, ToxicStage, ToxicType } from './toxic.js';
export { builtinToxics, toxicRegistry } from './toxics/index.js';
export { COMPAT_VERSION } from './routes.js';

/**
 * Reads a proxy config file (JSON, or YAML: the parser loads on the first call, not with the proxy server).
 *
 * @example
 * // proxies.json: [{ "name": "redis", "listen": "127.0.0.1:26379", "upstream": "127.0.0.1:6379",
 * //                  "toxics": [{ "type": "latency", "attributes": { "latency": 100 } }] }]
 * const entries = await loadProxyConfig('proxies.json');
 */
export async function loadProxyConfig(file: string): Promise<unknown> {
  return (await import('./config.js')).loadProxyConfig(file);
}
