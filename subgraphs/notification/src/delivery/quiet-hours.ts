/** Quiet hours as stored: local `HH:MM` start and end in an IANA time zone. */
export interface QuietHoursSetting {
  start: string;
  end: string;
  timeZone: string;
}

/** Quiet hours from a stored preference row; none unless both ends are set. */
export function quietHoursOf(row: {
  quiet_start: string | null;
  quiet_end: string | null;
  time_zone: string | null;
}): QuietHoursSetting | undefined {
  return row.quiet_start && row.quiet_end
    ? { start: row.quiet_start, end: row.quiet_end, timeZone: row.time_zone ?? 'UTC' }
    : undefined;
}

const hhmm = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isTimeOfDay(value: string): boolean {
  return hhmm.test(value);
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (value: string) => {
  const [hours, minutes] = value.split(':').map(Number);
  return hours! * 60 + minutes!;
};

/** Minutes since local midnight at `now` in `timeZone`. */
function localMinutes(now: number, timeZone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { minutes: part('hour') * 60 + part('minute'), seconds: part('second') };
}

/** Wall-clock time left in the window at `now` (0 outside it). */
function wallClockLeftMs(start: number, end: number, now: number, timeZone: string): number {
  const { minutes, seconds } = localMinutes(now, timeZone);
  const quiet = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!quiet) return 0;
  const minutesLeft = (end - minutes + 1440) % 1440;
  return minutesLeft * 60_000 - seconds * 1000;
}

/**
 * How long a non-critical push must wait: 0 outside quiet hours, else the time until they end.
 * Windows may wrap midnight (22:00-07:00).
 */
export function quietHoursDelayMs(setting: QuietHoursSetting | undefined, now: number): number {
  if (!setting) return 0;
  const start = minutesOf(setting.start);
  const end = minutesOf(setting.end);
  if (start === end) return 0;
  // Wall-clock minutes are not elapsed minutes on a daylight-saving night: when the clocks go
  // back, the end read off the wall clock comes an hour early, still inside the window. Check
  // the release time again and wait on until it really is outside.
  let delay = 0;
  for (let step = 0; step < 3; step++) {
    const left = wallClockLeftMs(start, end, now + delay, setting.timeZone);
    if (left <= 0) break;
    delay += left;
  }
  return delay;
}
