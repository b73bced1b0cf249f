// How often a sent payout (an intent's, a withdrawal's) asks the chain about its confirmation. It is
// never given up: its funds stay held until the chain confirms or fails it, or an operator cancels it,
// so the interval only grows: every second for the first 30 polls, doubling every 30 polls after, and
// never longer than a minute.
const FAST_POLLS = 30;
const FIRST_INTERVAL_MS = 1000;
const MAX_POLL_INTERVAL_MS = 60_000;

/** The wait before the poll after `polls` polls (≥ 1). */
export function payoutPollDelayMs(polls: number): number {
  const doublings = Math.floor(Math.max(0, polls - 1) / FAST_POLLS);
  return Math.min(FIRST_INTERVAL_MS * 2 ** Math.min(doublings, 16), MAX_POLL_INTERVAL_MS);
}
