// Case folding for codes (bank codes, payment methods) that are ASCII by definition. String's own
// toUpperCase/toLowerCase fold by Unicode: "ſber" (long s) upper-cases to "SBER" and "\u212Aart" (the
// Kelvin sign) lower-cases to "kart", so a code no client may send would pass as a real one. Only
// a-z and A-Z change here; anything else stays as sent and matches no code.
export const asciiUpper = (s: string): string => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
export const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
