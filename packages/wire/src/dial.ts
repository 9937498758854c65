/**
 * The one dial hook: every outgoing connection a process opens (gRPC to
 * storage nodes, etcd endpoints) goes through `dialAddress`, so a test
 * harness can route it elsewhere, e.g. through a fault-injecting link proxy.
 *
 * SHOAL_DIAL_MAP (read once, at the first dial) is a JSON object from
 * "host:port" to "host:port", e.g. {"127.0.0.1:4600":"127.0.0.1:28900"}.
 * Absent or empty: every address is dialed as given (production). A map
 * that does not parse stops the process at its first dial (fail loud).
 */

let dialMap: ReadonlyMap<string, string> | undefined;

/** Parses a SHOAL_DIAL_MAP value; throws on anything but an object of strings. */
export function parseDialMap(text: string | undefined): ReadonlyMap<string, string> {
  if (text === undefined || text.trim() === '') return new Map();
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SHOAL_DIAL_MAP must be a JSON object');
  const map = new Map<string, string>();
  for (const [from, to] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof to !== 'string') throw new Error(`SHOAL_DIAL_MAP: value of ${from} is not a string`);
    map.set(from, to);
  }
  return map;
}

/** `address` rewritten by `map`: "host:port" or a URL ("http://host:port/..."); unmapped addresses are returned unchanged. */
export function mapAddress(address: string, map: ReadonlyMap<string, string>): string {
  if (map.size === 0) return address;
  const direct = map.get(address);
  if (direct !== undefined) return direct;
  const url = /^([a-z][a-z0-9+.-]*:\/\/)([^/]+)(.*)$/i.exec(address);
  if (!url) return address;
  const target = map.get(url[2]!);
  return target === undefined ? address : `${url[1]!}${target}${url[3]!}`;
}

/** Where to connect to reach `address` (see the file comment). */
export function dialAddress(address: string): string {
  dialMap ??= parseDialMap(process.env['SHOAL_DIAL_MAP']);
  return mapAddress(address, dialMap);
}
