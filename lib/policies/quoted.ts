// Apart from request-values.ts: the pipeline, loaded by every registration, needs only this.

/** A value for an error description: quoted and cut short. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}...` : value);
}
