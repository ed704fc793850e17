// The one sentence both kinds of merge (sweep shards, region shards) use for what is not there.

/** "shard 3/3 is missing", "shards 2/4, 4/4 are missing". */
export function missingShards(missing: string[]): string {
  return missing.length === 1 ? `shard ${missing[0]} is missing` : `shards ${missing.join(", ")} are missing`;
}
