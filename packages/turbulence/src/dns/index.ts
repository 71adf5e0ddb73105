/** DNS chaos: the fault-injecting DNS server, its rules and actions, and a small client. */
export { createDnsServer, DnsServer } from './server.js';
export type { DnsServerOptions, DnsServerAddress, DnsServerStats } from './server.js';
export type { DnsQueryEvent } from './handler.js';
export { RuleEngine as DnsRuleEngine } from './engine.js';
export type { DnsRuleStatus } from './engine.js';
export { parseRule as parseDnsRule, parseAction as parseDnsAction } from './rule.js';
export type { DnsRule, DnsRuleInput, DnsActionInput } from './rule.js';
export { loadRulesFile as loadDnsRulesFile, parseRulesText as parseDnsRulesText } from './rules-file.js';
export { dnsActions } from './actions/index.js';
export type { DnsActionDefinition, DnsExchange, DnsTransport } from './action.js';
export { dnsQuery } from './client.js';
export type { DnsQueryOptions, DnsQueryResult, DnsRecord, DnsClientTransport } from './client.js';
export { spawnWithResolver, resolvConf, readNameservers, systemNameserver } from './resolver.js';
export type { ResolverRedirect, ResolverSpawnOptions } from './resolver.js';
export { startChaosResolver } from './redirect.js';
export type { ChaosResolver, ChaosResolverOptions } from './redirect.js';
export type { DnsCacheStats } from './cache.js';
