// Caps on what one registration may hold: they keep items far below DynamoDB's 400 KB and make
// abuse (huge arrays, megabyte names) a clear 400 instead of a slow write.
export const MAX_STRING_LENGTH = 2_048;
export const MAX_ARRAY_LENGTH = 100;
export const MAX_JWKS_KEYS = 20;
/** Language-tagged variants (client_name#de, logo_uri#fr, ...) one registration may hold. */
export const MAX_LOCALIZED_FIELDS = 100;
