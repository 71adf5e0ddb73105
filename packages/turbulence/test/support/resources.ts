/** The leak check of the toxic contracts: this process's timers and sockets, before and after. */
import { eventually } from './eventually.js';

export interface Resources {
  timers: number;
  sockets: number;
}

/** Timers and sockets (TCP connections and servers) this process holds right now. */
export function resources(): Resources {
  const count: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) count[r] = (count[r] ?? 0) + 1;
  return { timers: count.Timeout ?? 0, sockets: (count.TCPSocketWrap ?? 0) + (count.TCPServerWrap ?? 0) };
}

/** True once the process holds no more timers and sockets than `before` (polled for up to `ms`). */
export function backTo(before: Resources, ms = 5000): Promise<boolean> {
  return eventually(() => {
    const now = resources();
    return now.timers <= before.timers && now.sockets <= before.sockets;
  }, ms);
}
