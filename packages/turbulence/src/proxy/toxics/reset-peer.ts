/**
 * `reset_peer`: on the first data (or end) in this direction, drops it, waits `timeout` ms, then closes the
 * connection with a TCP RST so both peers see `ECONNRESET`. Only connections the toxic is selected for are
 * reset (Toxiproxy sets linger 0 on every connection opened while the toxic exists, whatever its toxicity).
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface ResetPeerAttributes {
  /** Milliseconds between the first data and the reset; 0 = at once. */
  timeout: number;
}

/** The `reset_peer` toxic. */
export const resetPeer: ToxicType<ResetPeerAttributes> = {
  type: 'reset_peer',
  summary: 'reset the connection (TCP RST) timeout ms after the first data',
  timeless: true,
  attributes: z.object({ timeout: int('timeout', 0) }),
  create(attributes, _out, ctx) {
    let timer: NodeJS.Timeout | undefined;
    let triggered = false;
    const trigger = (): void => {
      if (triggered) return;
      triggered = true;
      if (attributes.timeout <= 0) ctx.reset();
      else timer = setTimeout(() => ctx.reset(), attributes.timeout);
    };
    return {
      write(data) {
        ctx.dropped(data.length);
        trigger();
      },
      end: trigger,
      stop() {
        if (timer) clearTimeout(timer);
        timer = undefined;
      },
    };
  },
};
