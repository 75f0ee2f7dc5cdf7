/**
 * Time, injectable. Reminders fire days ahead and quiet hours depend on the hour of day: code
 * that reads the time takes a Clock so tests move time instead of waiting for it.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  set(time: number | Date | string): void;
  advance(ms: number): void;
}

export function createManualClock(start: number | Date | string = Date.now()): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => current,
    set: (time) => void (current = new Date(time).getTime()),
    advance: (ms) => void (current += ms),
  };
}
