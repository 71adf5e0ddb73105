/**
 * The dashboard's client of the `turbulence ui` API: JSON calls and the event stream, both with the bearer token
 * when the page was opened as `#token=T` (off loopback). The stream is read with fetch (EventSource cannot send
 * a header) and parsed as Server-Sent Events.
 */
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const headers = (json: boolean): Record<string, string> => ({
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...(json ? { 'content-type': 'application/json' } : {}),
});

/** GET or POST `path`; throws the server's `{error}` message on a non-2xx answer. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const post = body !== undefined;
  const res = await fetch(path, {
    method: post ? 'POST' : 'GET',
    headers: headers(post),
    ...(post ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new Error(data.error ?? `${res.status} ${res.statusText}`);
  return data as T;
}

/** A run, fault, proxy, DNS or supervisor event as the server streams it. */
export interface StreamEvent {
  source: string;
  type: string;
  at: string;
  [key: string]: unknown;
}

/** Follows `/api/events` forever (reconnecting from the last id); `onState` says whether it is connected. */
export async function follow(onEvent: (e: StreamEvent) => void, onState: (live: boolean) => void): Promise<never> {
  let last = 0;
  for (;;) {
    try {
      const res = await fetch(`/api/events?since=${last}`, { headers: headers(false) });
      if (!res.ok || !res.body) throw new Error(String(res.status));
      onState(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) last = Number(line.slice(4));
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onEvent(JSON.parse(data) as StreamEvent);
        }
      }
    } catch {
      // reconnect below
    }
    onState(false);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
