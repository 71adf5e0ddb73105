/**
 * @module `proxy.disable`: takes a proxy down (listener closed, live connections dropped, new ones refused);
 * revert enables it again on the same port. Revert always enables: a chaos tool must not leave a proxy down.
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { disableParams } from './schema.js';
import type { FaultDriver } from '../../core/fault.js';
import { ProxyClient } from '../../proxy/client.js';
import { attributesOf, isNotFound, reach, resolveProxies } from '../../targets/proxy.js';

/** `proxy.disable`. */
export const disableDriver: FaultDriver<Record<string, never>> = {
  kind: 'proxy.disable',
  summary: 'disable a proxy (connections dropped, new ones refused); revert enables it',
  params: disableParams,
  reversible: true,
  targets: ['proxy'],
  resolveTargets: (query) => resolveProxies(query),
  async inject(target) {
    const { url, proxy } = attributesOf(target);
    try {
      await reach(url, 'disable the proxy', () => new ProxyClient(url).updateProxy(proxy, { enabled: false }));
    } catch (err) {
      throw new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `cannot disable proxy ${proxy} on ${url}`, {
        cause: err,
      });
    }
  },
  async verify(fault) {
    const { url, proxy } = attributesOf(fault.target);
    return (await new ProxyClient(url).get(proxy)).enabled === false;
  },
  async revert(fault) {
    const { url, proxy } = attributesOf(fault.target);
    try {
      await reach(url, 'enable the proxy', () => new ProxyClient(url).updateProxy(proxy, { enabled: true }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw new TurbulenceError(ErrorCodes.FAULT_REVERT_FAILED, `cannot enable proxy ${proxy} on ${url}`, {
        hint: `enable it by hand: turbulence proxy toggle ${proxy} --url ${url}`,
        cause: err,
      });
    }
  },
};
