/**
 * `limit_time`: lets data flow normally, then closes the connection `time` ms after the first data in this
 * direction ("unplug the cable mid-transfer", Toxiproxy PR #195). `time: 0` closes on the first data.
 */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface LimitTimeAttributes {
  /** Milliseconds of data flow before the connection is closed. */
  time: number;
}

/** The `limit_time` toxic. */
export const limitTime: ToxicType<LimitTimeAttributes> = {
  type: 'limit_time',
  summary: 'close the connection time ms after data starts flowing',
  timeless: true,
  attributes: z.object({ time: int('time', 0) }),
  create(attributes, out, ctx) {
    let timer: NodeJS.Timeout | undefined;
    let started = false;
    return {
      write(data, t) {
        if (!started) {
          started = true;
          if (attributes.time <= 0) {
            ctx.dropped(data.length);
            ctx.close();
            return;
          }
          timer = setTimeout(() => ctx.close(), attributes.time);
        }
        out.write(data, t);
      },
      end: () => out.end(),
      stop() {
        if (timer) clearTimeout(timer);
        timer = undefined;
      },
    };
  },
};
