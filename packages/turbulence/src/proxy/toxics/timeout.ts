/**
 * `timeout`: drops all data in this direction and closes the connection after `timeout` ms without data (an idle
 * timer, as in Toxiproxy: a chatty peer keeps it open). `timeout: 0` never closes. Removing the toxic closes the
 * connections it dropped data on (their stream is corrupt); connections it never touched stay open.
 *
 * Dropping, not holding, is Toxiproxy's behaviour since PR #168 (2017; README clarified in PR #598): before, the
 * toxic blocked the link and data flowed on after removal, which could hang its API. `bandwidth` with `rate: 0`
 * is the toxic that holds data and releases it in order on removal.
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface TimeoutAttributes {
  /** Idle milliseconds before the connection is closed; 0 = never. */
  timeout: number;
}

/** The `timeout` toxic. */
export const timeout: ToxicType<TimeoutAttributes> = {
  type: 'timeout',
  summary: 'drop all data and close the connection after timeout ms of inactivity (0 = hang forever)',
  timeless: true,
  attributes: z.object({ timeout: int('timeout', 0) }),
  create(attributes, out, ctx) {
    let ms = attributes.timeout;
    let timer: NodeJS.Timeout | undefined;
    let droppedAny = false;
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = ms > 0 ? setTimeout(() => ctx.close(), ms) : undefined;
    };
    arm();
    return {
      write(data) {
        droppedAny = true;
        ctx.dropped(data.length);
        arm();
      },
      end: () => out.end(),
      stop() {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (droppedAny) ctx.close();
      },
      reconfigure(next) {
        ms = (next as TimeoutAttributes).timeout;
        arm();
      },
    };
  },
};
