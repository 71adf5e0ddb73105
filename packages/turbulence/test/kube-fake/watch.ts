/**
 * Watch streams: newline-delimited JSON events (`{"type":"ADDED","object":{...}}`) over a chunked response.
 * Without a resourceVersion (or with "0") the stream starts with ADDED events for what exists now; with one,
 * it replays the change log after it, or answers an ERROR event with a 410 `Expired` Status when the log no
 * longer reaches back that far. A MODIFIED object that leaves or enters a selection is sent as DELETED/ADDED.
 */
import type { ServerResponse } from 'node:http';
import type { Cluster } from './cluster.js';
import { keyOf, type ResourceDef } from './resources.js';
import type { Change, KubeObject } from './store.js';

/** Parameters of a watch. */
export interface WatchRequest {
  def: ResourceDef;
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  resourceVersion?: string | undefined;
  timeoutSeconds?: number | undefined;
  bookmarks: boolean;
  /** Renders each object (the version's apiVersion, or a Table row). */
  render: (o: KubeObject) => unknown;
}

/** Streams a watch to `res` until the client goes away, the timeout passes or the fake closes. */
export function serveWatch(cluster: Cluster, w: WatchRequest, res: ServerResponse, closing: Set<() => void>): void {
  const compiled = cluster.compile(w.def, w);
  const key = keyOf(w.def);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  const send = (type: string, object: unknown): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const deliver = (c: Change): void => {
    if (c.key !== key) return;
    const now = cluster.matches(compiled, c.object);
    const before = c.type === 'MODIFIED' && c.old ? cluster.matches(compiled, c.old) : now;
    if (c.type === 'MODIFIED' && before !== now) send(now ? 'ADDED' : 'DELETED', w.render(c.object));
    else if (now) send(c.type, w.render(c.object));
  };
  const rv = w.resourceVersion;
  if (!rv || rv === '0') {
    for (const o of cluster.select(w.def, w)) send('ADDED', w.render(o));
  } else {
    const changes = cluster.store.since(Number(rv));
    if (!changes || !/^\d+$/.test(rv)) {
      send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rv} (${cluster.store.rv})`,
        reason: 'Expired',
        code: 410,
      });
      res.end();
      return;
    }
    for (const c of changes) deliver(c);
  }
  const unsubscribe = cluster.store.subscribe(deliver);
  let timeout: NodeJS.Timeout | undefined;
  let bookmark: NodeJS.Timeout | undefined;
  const stop = (): void => {
    unsubscribe();
    clearTimeout(timeout);
    clearTimeout(bookmark);
    closing.delete(stop);
    if (!res.writableEnded) res.end();
  };
  closing.add(stop);
  res.on('close', stop);
  if (w.timeoutSeconds && w.timeoutSeconds > 0) timeout = setTimeout(stop, w.timeoutSeconds * 1000);
  if (w.bookmarks) {
    const tick = (): void => {
      send('BOOKMARK', {
        kind: w.def.kind,
        apiVersion: w.def.group ? `${w.def.group}/${w.def.versions[0]}` : w.def.versions[0],
        metadata: { resourceVersion: String(cluster.store.rv) },
      });
      bookmark = setTimeout(tick, 1000).unref();
    };
    bookmark = setTimeout(tick, 1000).unref();
  }
}
