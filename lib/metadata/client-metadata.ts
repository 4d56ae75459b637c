/** Registered metadata with defaults, as validation returns it and the client information echoes it. */
export type ClientMetadata = Readonly<Record<string, unknown>>;
