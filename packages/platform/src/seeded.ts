/**
 * Deterministic fake data: the search subgraph's demo provider and the Amadeus emulator both
 * make repeatable offers from a seed, with the same small helpers.
 */
import { createHash } from 'node:crypto';

/** A deterministic pseudo-random sequence in [0, 1) seeded by `parts` (mulberry32). */
export function seededRandom(...parts: unknown[]): () => number {
  let state = createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `PT7H30M` from minutes. */
export function isoDuration(minutes: number): string {
  return `PT${Math.floor(minutes / 60)}H${minutes % 60 ? `${minutes % 60}M` : ''}`;
}

/** Adds minutes to a local ISO time without offset (`2026-12-10T18:00:00`). */
export function addMinutesLocal(localIso: string, minutes: number): string {
  return new Date(Date.parse(`${localIso}Z`) + minutes * 60_000).toISOString().slice(0, 19);
}

export function nightsBetween(checkIn: string, checkOut: string): number {
  return Math.max(1, Math.round((Date.parse(checkOut) - Date.parse(checkIn)) / 86_400_000));
}
