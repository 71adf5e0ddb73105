/** `turbulence dns cache stats|clear --api URL`: the answer cache of a running chaos DNS server. */
import type { Command } from 'commander';
import type { DnsCacheStats } from '../../../dns/cache.js';
import { API, callDnsApi, type ApiFlags } from './rules.js';

export function registerCacheCommands(dns: Command): void {
  const cache = dns.command('cache').description('read or empty the answer cache of a running chaos DNS server');
  cache
    .command('stats')
    .description('print the cache counters (hits, misses, entries, ...)')
    .option(...API)
    .action(async (f: ApiFlags) => {
      const stats = (await callDnsApi(f, 'GET', '/stats')) as { cache?: DnsCacheStats };
      if (!stats.cache) return console.log('the answer cache is off (--no-cache)');
      const c = stats.cache;
      console.log(
        `${c.entries}/${c.maxEntries} answers held; hits ${c.hits}, misses ${c.misses}, bypassed ${c.bypassed}, ` +
          `stored ${c.stored}, evicted ${c.evicted}`,
      );
    });
  cache
    .command('clear')
    .description('forget every cached answer (the next query for each name goes to the upstream)')
    .option(...API)
    .action(async (f: ApiFlags) => {
      await callDnsApi(f, 'DELETE', '/cache');
      console.log('cleared the answer cache');
    });
}
