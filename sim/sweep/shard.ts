import { InputError } from "../scenario/errors.js";

/** Shards a sweep may be split into; more than there are grid points leaves some empty. */
export const MAX_SHARDS = 100_000;

/** Shard `index` of `count`, 1-based as Jest, Playwright and `node --test-shard` write it (`--shard 3/8`). */
export interface Shard {
  index: number;
  count: number;
}

/** `K/N` with 1 ≤ K ≤ N; anything else is an InputError naming the flag. */
export function parseShard(text: string, flag = "--shard"): Shard {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  if (!match) throw new InputError(`${flag} expects K/N (shard K of N, counted from 1, e.g. 3/8) or auto, got ${JSON.stringify(text.slice(0, 40))}`);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  checkShard(shard, flag);
  return shard;
}

/** Refuses a shard outside 1..N or an N outside 1..MAX_SHARDS. */
export function checkShard(shard: Shard, flag: string): void {
  if (shard.count < 1 || shard.count > MAX_SHARDS) throw new InputError(`${flag}: the number of shards must be 1 to ${MAX_SHARDS}, got ${shard.count}`);
  if (shard.index < 1 || shard.index > shard.count) throw new InputError(`${flag}: shard ${shard.index}/${shard.count} does not exist; K runs from 1 to ${shard.count}`);
}

/**
 * The shard a grid point belongs to: point i (0-based, grid order) goes to shard (i mod N) + 1.
 * Dealing the points out in turn, rather than in blocks, spreads a grid whose runs grow along an
 * axis (servers.count=2..64) evenly over the shards.
 */
export function shardOf(point: number, count: number): number {
  return (point % count) + 1;
}

/** The points of `shard`, in grid order. */
export function shardPoints<T extends { index: number }>(points: readonly T[], shard: Shard): T[] {
  return points.filter((p) => shardOf(p.index, shard.count) === shard.index);
}

/** `3/8`. */
export function describeShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
