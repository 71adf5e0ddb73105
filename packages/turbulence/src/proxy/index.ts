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
export { loadProxyConfig } from './config.js';
export { COMPAT_VERSION } from './routes.js';
