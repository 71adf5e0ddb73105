/** Kubernetes `Status` failures, thrown by the fake's operations and rendered by the HTTP layer. */

/** The `details` of a Status. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason: string; message: string; field: string }>;
  retryAfterSeconds?: number;
}

/** A failed request, carrying what the API server would answer. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: StatusDetails = {},
  ) {
    super(message);
  }

  /** The `Status` object of this failure. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

/** `<plural>.<group>` or `<plural>` as Kubernetes' messages name a resource. */
export const qualified = (plural: string, group: string): string => (group ? `${plural}.${group}` : plural);

export const notFound = (plural: string, group: string, name: string): KubeError =>
  new KubeError(404, 'NotFound', `${qualified(plural, group)} "${name}" not found`, { name, group, kind: plural });

export const alreadyExists = (plural: string, group: string, name: string): KubeError =>
  new KubeError(409, 'AlreadyExists', `${qualified(plural, group)} "${name}" already exists`, {
    name,
    group,
    kind: plural,
  });

export const conflict = (plural: string, group: string, name: string): KubeError =>
  new KubeError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: plural },
  );

export const badRequest = (message: string): KubeError => new KubeError(400, 'BadRequest', message);

/** 422 Invalid with one cause per field. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: Array<{ field: string; message: string }>,
): KubeError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new KubeError(422, 'Invalid', `${kind} "${name}" is invalid: ${text}`, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}
