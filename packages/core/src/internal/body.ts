/**
 * The stored form of a payload. Today the canonical JSON of the encoded payload; sealing (encryption at rest)
 * wraps exactly these two functions, so nothing else in core touches a record body.
 */
export const toBody = (encoded: unknown): string => JSON.stringify(encoded)

export const fromBody = (body: string): unknown => JSON.parse(body)
