/** DNS chaos: the fault-injecting DNS server, its rules and actions, and a small client. */
export { createDnsServer, DnsServer } from './server.js';
export type { DnsServerOptions, DnsServerAddress, DnsServerStats } from './server.js';
export type { DnsQueryEvent } from './handler.js';
export { RuleEngine } from './engine.js';
export type { DnsRuleStatus } from './engine.js';
export { parseRule, parseAction } from './rule.js';
export type { DnsRule, DnsRuleInput, DnsActionInput } from './rule.js';
export { dnsActions } from './actions/index.js';
export type { DnsActionDefinition, DnsExchange, DnsTransport } from './action.js';
export { dnsQuery } from './client.js';
export type { DnsQueryOptions, DnsQueryResult, DnsRecord, DnsClientTransport } from './client.js';
export { parseHostPort, formatHostPort } from './address.js';
export type { HostPort } from './address.js';
