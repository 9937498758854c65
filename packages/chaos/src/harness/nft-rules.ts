/**
 * nftables scripts of the `--net netns` mode (pure: text in, text out).
 * Every process namespace holds one table, `inet shoal_chaos`, with an
 * input and an output chain (policy accept). A cut adds drop rules to the
 * namespaces of one side, naming the other side by address or subnet;
 * healing flushes both chains. Drop, not reject: a partition is silence,
 * as in the link proxies' blackhole. Established connections are cut too
 * (no conntrack accept rule), and every rule counts what it dropped.
 */

export const NFT_TABLE = 'shoal_chaos';

/**
 * Which packets between side A (the namespaces the rules go into) and
 * side B (the addresses named) are dropped: `both`, `outgoing` (A to B
 * only) or `incoming` (B to A only).
 */
export type CutDirection = 'both' | 'outgoing' | 'incoming';

const ADDRESS_PATTERN = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** Creates the table and its two chains, empty (also empties an existing one). */
export function baseTableScript(): string {
  return [
    `table inet ${NFT_TABLE}`,
    `delete table inet ${NFT_TABLE}`,
    `table inet ${NFT_TABLE} {`,
    '  chain input { type filter hook input priority 0; policy accept; }',
    '  chain output { type filter hook output priority 0; policy accept; }',
    '}',
    '',
  ].join('\n');
}

/** The rules, in one namespace of side A, that cut it from `peers` (IPv4 addresses or CIDR blocks). */
export function cutScript(peers: readonly string[], direction: CutDirection): string {
  if (peers.length === 0) throw new Error('a cut needs at least one peer address');
  const bad = peers.find((p) => !ADDRESS_PATTERN.test(p));
  if (bad !== undefined) throw new Error(`not an IPv4 address or block: ${bad}`);
  const set = `{ ${peers.join(', ')} }`;
  const lines: string[] = [];
  if (direction !== 'incoming') lines.push(`add rule inet ${NFT_TABLE} output ip daddr ${set} counter drop`);
  if (direction !== 'outgoing') lines.push(`add rule inet ${NFT_TABLE} input ip saddr ${set} counter drop`);
  return lines.join('\n') + '\n';
}

/** Removes every cut (both chains emptied, the table kept). */
export function healScript(): string {
  return `flush chain inet ${NFT_TABLE} input\nflush chain inet ${NFT_TABLE} output\n`;
}

/** Packets dropped by the rules in `listing` (the output of `nft list table inet shoal_chaos`). */
export function droppedPackets(listing: string): number {
  let total = 0;
  for (const m of listing.matchAll(/counter packets (\d+) bytes \d+ drop/g)) total += Number(m[1]);
  return total;
}
