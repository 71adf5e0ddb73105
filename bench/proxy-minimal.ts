/**
 * The baseline every proxy benchmark compares against: the smallest correct Node TCP proxy, `net.connect` plus
 * `socket.pipe` both ways. (Run as a child: `tsx bench/proxy-target.ts pipe <upstreamPort>`.)
 *
 * Both sockets get `noDelay` (TCP_NODELAY), like turbulence's proxy and `node:http`, so the comparison is between
 * the two data paths, not between socket options.
 */
import { connect, createServer, type Server } from 'node:net';

/** Starts the minimal proxy on 127.0.0.1:`port` (0 = any) in front of 127.0.0.1:`upstreamPort`. */
export function startMinimalProxy(port: number, upstreamPort: number): Server {
  return createServer({ noDelay: true }, (client) => {
    const upstream = connect({ port: upstreamPort, host: '127.0.0.1', noDelay: true });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }).listen(port, '127.0.0.1');
}
