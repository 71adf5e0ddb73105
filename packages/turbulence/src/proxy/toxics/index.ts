/**
 * Every toxic type, one line each. Adding a toxic is one file in this folder plus one line here
 * (see docs/adding-a-toxic.md).
 */
import { httpToxics } from '../http/toxics/index.js';
import { tlsToxics } from '../tls/toxics.js';
import { udpToxics } from '../udp/toxics.js';
import type { AnyToxicType } from '../toxic.js';
import { bandwidth } from './bandwidth.js';
import { connectDelay } from './connect-delay.js';
import { latency } from './latency.js';
import { limitData } from './limit-data.js';
import { limitTime } from './limit-time.js';
import { noop } from './noop.js';
import { packetLoss } from './packet-loss.js';
import { refuse } from './refuse.js';
import { resetPeer } from './reset-peer.js';
import { slicer } from './slicer.js';
import { slowClose } from './slow-close.js';
import { timeout } from './timeout.js';

/** The built-in toxic types, in documentation order. */
export const builtinToxics: readonly AnyToxicType[] = [
  latency,
  bandwidth,
  slowClose,
  timeout,
  resetPeer,
  slicer,
  limitData,
  noop,
  packetLoss,
  limitTime,
  refuse,
  connectDelay,
  // HTTP toxics (proxies with protocol http), see ../http/toxics/.
  ...httpToxics,
  // TLS toxics (proxies with tls.terminate), see ../tls/toxics.ts.
  ...tlsToxics,
  // UDP toxics (proxies with protocol udp), see ../udp/toxics.ts.
  ...udpToxics,
];

/** A lookup of toxic types by API name; pass extra types to add your own. */
export function toxicRegistry(extra: readonly AnyToxicType[] = []): ReadonlyMap<string, AnyToxicType> {
  return new Map([...builtinToxics, ...extra].map((t) => [t.type, t]));
}
