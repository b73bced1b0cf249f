// A JavaScript string may hold a lone UTF-16 surrogate (JSON carries one as the escape "\ud800"); no
// UTF-8 text can. PostgreSQL's jsonb refuses it, and text written through the driver gets U+FFFD in its
// place. (Node 20 has String.prototype.isWellFormed and toWellFormed; the ES2023 lib we type against
// does not.) With the u flag a well-formed pair is one code point, so only a lone surrogate matches
// the category Cs.

const LONE = /\p{Cs}/u;
const EVERY_LONE = /\p{Cs}/gu;

/** True when `s` holds a surrogate that is not half of a pair. */
export const hasLoneSurrogate = (s: string): boolean => LONE.test(s);

/** `s` with each lone surrogate replaced by U+FFFD (what toWellFormed returns). */
export const withoutLoneSurrogates = (s: string): string => s.replace(EVERY_LONE, "\ufffd");
