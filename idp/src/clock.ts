/**
 * The IdP's clock: every timestamp column, expiry and re-authentication window reads it, so tests can move
 * time forward (`clock.offsetMs`) without waiting.
 */
let offsetMs = 0;

export const clock = {
  get offsetMs(): number {
    return offsetMs;
  },
  set offsetMs(value: number) {
    offsetMs = value;
  },
  now(): number {
    return Date.now() + offsetMs;
  },
};

/** Seconds since the epoch: the unit of every timestamp column. */
export function nowSeconds(): number {
  return Math.floor(clock.now() / 1000);
}
