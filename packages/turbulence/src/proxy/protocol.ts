/**
 * A proxy's `protocol`: `tcp` (the default: bytes, Toxiproxy's model), `http` (HTTP/1.1 requests, `http/`),
 * or `udp` (datagrams). Toxiproxy clients that never send the field get `tcp`; the API only shows the field
 * when it is not `tcp`, so their view of a proxy is unchanged.
 */
import { ApiError } from './api-error.js';
import type { AnyToxicType } from './toxic.js';

/** The protocols a proxy can speak. */
export const PROTOCOLS = ['tcp', 'http', 'udp'] as const;
/** A proxy protocol. */
export type Protocol = (typeof PROTOCOLS)[number];

/** Parses the `protocol` field of a proxy body (400 naming the field and the choices). */
export function parseProtocol(value: unknown): Protocol {
  if (value === undefined || value === null || value === '') return 'tcp';
  if (typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value.toLowerCase())) {
    return value.toLowerCase() as Protocol;
  }
  throw new ApiError(
    `bad request body: protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(value)}`,
    400,
  );
}

/** The protocol a toxic type works on (`tls`: any proxy that terminates TLS). */
export function protocolOf(type: AnyToxicType): Protocol | 'tls' {
  return type.protocol ?? 'tcp';
}

/** Refuses a toxic on a proxy of another protocol (or a TLS toxic on a proxy that does not terminate TLS). */
export function checkToxicProtocol(type: AnyToxicType, protocol: Protocol, terminatesTls = false): void {
  const wanted = protocolOf(type);
  if (wanted === 'tls') {
    if (terminatesTls) return;
    throw new ApiError(
      `toxic type ${type.type} needs a proxy that terminates TLS (fix: create the proxy with "tls": {"terminate": true})`,
      400,
    );
  }
  if (wanted === protocol) return;
  const fix =
    wanted === 'tcp'
      ? `byte toxics work on tcp proxies; on an ${protocol} proxy use ${protocol}_* toxics (e.g. ${protocol}_delay)`
      : `create the proxy with "protocol": "${wanted}" (CLI: turbulence proxy create --protocol ${wanted})`;
  throw new ApiError(
    `toxic type ${type.type} needs a proxy with protocol ${wanted}, this proxy has protocol ${protocol} (fix: ${fix})`,
    400,
  );
}
