/** `slow_close`: data passes untouched; the end of the stream is postponed by `delay` ms. */
import { z } from 'zod';
import type { ToxicType } from '../toxic.js';
import { int } from './attributes.js';

/** Attributes of the toxic (as the API sends and returns them). */
export interface SlowCloseAttributes {
  /** Milliseconds to hold the close. */
  delay: number;
}

/** The `slow_close` toxic. */
export const slowClose: ToxicType<SlowCloseAttributes> = {
  type: 'slow_close',
  summary: 'delay the close of the stream by delay milliseconds',
  timeless: true,
  attributes: z.object({ delay: int('delay', 0) }),
  create(attributes, out) {
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    return {
      write: (data, t) => out.write(data, t),
      end() {
        ended = true;
        timer = setTimeout(() => {
          timer = undefined;
          out.end();
        }, attributes.delay);
      },
      stop(flush) {
        if (timer) clearTimeout(timer);
        if (timer && flush && ended) out.end();
        timer = undefined;
      },
    };
  },
};
