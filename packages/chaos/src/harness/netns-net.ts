/**
 * The `--net netns` mode's network (needs root, `ip` and `nft`): builds the
 * namespaces, veth pairs and bridge of a NetnsLayout, applies and heals
 * nftables cuts inside the namespaces, and removes everything again.
 *
 * set-up refuses to touch a namespace of the same name that still has
 * processes in it (another run with the same prefix); stale ones without
 * processes, and a stale bridge, are removed first. tear-down deletes the
 * namespaces (their veth pairs go with them) and the bridge, ignoring what
 * is already gone, so it can run twice (end of scenario, Ctrl-C sweep),
 * and nothing at all when set-up refused (the names belong to another run).
 */
import { spawn } from 'node:child_process';
import { memberOf, type NetnsLayout, type NetnsMember } from './netns-layout';
import { NFT_TABLE, baseTableScript, cutScript, droppedPackets, healScript, type CutDirection } from './nft-rules';

const COMMAND_TIMEOUT_MS = 10_000;
const OUTPUT_BYTES_MAX = 64 * 1024;

export class NetnsNet {
  /** Set once set-up has checked that the names are free (or stale): tear-down touches nothing before. */
  private claimed = false;

  constructor(readonly layout: NetnsLayout, private readonly log: (msg: string) => void) {}

  /** Throws a clear error unless this process can create network namespaces and run nft (root, ip, nft). */
  static async preflight(prefix: string): Promise<void> {
    const uid = process.getuid?.();
    if (uid !== 0) throw new Error(`--net netns needs root (uid is ${uid ?? 'unknown'}); use --net proxy (the default) without root`);
    const probe = `${prefix}-probe`;
    try {
      await run('ip', ['netns', 'add', probe]);
      await run('ip', ['netns', 'exec', probe, 'nft', '-f', '-'], baseTableScript());
    } catch (err) {
      throw new Error(`--net netns cannot create a network namespace with an nftables table: ${(err as Error).message}`);
    } finally {
      await run('ip', ['netns', 'del', probe]).catch(() => undefined);
    }
  }

  /** Bridge with the client and etcd addresses, one namespace per member with its veth, address, lo, and an empty nft table. */
  async setUp(): Promise<void> {
    await this.removeStale();
    this.claimed = true;
    const l = this.layout;
    await run('ip', ['link', 'add', l.bridge, 'type', 'bridge']);
    for (const a of [l.clientAddress, l.etcdAddress]) await run('ip', ['addr', 'add', `${a}/${l.prefixLength}`, 'dev', l.bridge]);
    await run('ip', ['link', 'set', l.bridge, 'up']);
    for (const m of l.members) {
      await run('ip', ['netns', 'add', m.netns]);
      await run('ip', ['link', 'add', m.vethHost, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', m.netns]);
      await run('ip', ['link', 'set', m.vethHost, 'master', l.bridge, 'up']);
      await run('ip', ['-n', m.netns, 'addr', 'add', `${m.address}/${l.prefixLength}`, 'dev', 'eth0']);
      await run('ip', ['-n', m.netns, 'link', 'set', 'eth0', 'up']);
      await run('ip', ['-n', m.netns, 'link', 'set', 'lo', 'up']);
      await this.nft(m, baseTableScript());
    }
    this.log(`netns: bridge ${l.bridge} (${l.clientAddress} clients, ${l.etcdAddress} etcd), ${l.members.map((m) => `${m.netns} ${m.address}`).join(', ')}`);
  }

  /**
   * Deletes every veth pair, namespace and the bridge of the layout
   * (whatever of them exists). The veths go explicitly: a namespace whose
   * processes are gone lives on while orphaned TCP sockets in it still
   * retransmit, and its veth with it, which would block the next set-up.
   */
  async tearDown(): Promise<void> {
    if (!this.claimed) return;
    for (const m of this.layout.members) {
      await run('ip', ['link', 'del', m.vethHost]).catch(() => undefined);
      await run('ip', ['netns', 'del', m.netns]).catch(() => undefined);
    }
    await run('ip', ['link', 'del', this.layout.bridge]).catch(() => undefined);
  }

  /** The command prefix that runs a process inside its namespace (none for etcd, which stays on the bridge). */
  execPrefix(name: string): string[] {
    const m = memberOf(this.layout, name);
    return m ? ['ip', 'netns', 'exec', m.netns] : [];
  }

  /** The address of a process or of etcd. */
  address(name: string): string {
    if (name === 'etcd') return this.layout.etcdAddress;
    const m = memberOf(this.layout, name);
    if (!m) throw new Error(`${name} is not in the netns layout`);
    return m.address;
  }

  /** Drop rules in the namespaces of `members` against `peers` (addresses or blocks); returns a description. */
  async cut(members: readonly string[], peers: readonly string[], direction: CutDirection): Promise<string> {
    const script = cutScript(peers, direction);
    const targets = members.map((name) => {
      const m = memberOf(this.layout, name);
      if (!m) throw new Error(`${name} is not in the netns layout`);
      return m;
    });
    await Promise.all(targets.map((m) => this.nft(m, script)));
    return `nft drop (${direction}) in ${members.join(' ')} against ${peers.join(' ')}`;
  }

  /** Empties every namespace's chains (all at once); returns how many packets the removed rules had dropped. */
  async heal(): Promise<number> {
    const listings = await Promise.all(this.layout.members.map((m) => this.nft(m, `list table inet ${NFT_TABLE}\n${healScript()}`)));
    return listings.reduce((sum, listing) => sum + droppedPackets(listing), 0);
  }

  /** Runs an nft script in `m`'s namespace (one batch: all of it or nothing); resolves with what it printed. */
  private nft(m: NetnsMember, script: string): Promise<string> {
    return run('ip', ['netns', 'exec', m.netns, 'nft', '-f', '-'], script);
  }

  private async removeStale(): Promise<void> {
    const existing = new Set((await run('ip', ['netns', 'list'])).split('\n').map((line) => line.split(' ')[0]!).filter(Boolean));
    for (const m of this.layout.members) {
      if (!existing.has(m.netns)) continue;
      const pids = (await run('ip', ['netns', 'pids', m.netns])).trim();
      if (pids) throw new Error(`network namespace ${m.netns} exists with processes in it (pids ${pids.split('\n').join(' ')}): another run uses prefix ${this.layout.prefix}?`);
      this.log(`netns: removing stale namespace ${m.netns}`);
      await run('ip', ['netns', 'del', m.netns]);
    }
    const links = new Set((await run('ip', ['-o', 'link', 'show'])).split('\n').map((line) => line.split(': ')[1]?.split('@')[0]).filter(Boolean));
    for (const name of [...this.layout.members.map((m) => m.vethHost), this.layout.bridge].filter((n) => links.has(n))) {
      this.log(`netns: removing stale link ${name}`);
      await run('ip', ['link', 'del', name]);
    }
  }
}

/** Runs `command args` with `input` on stdin; resolves with stdout, rejects with the command and its stderr. */
function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { if (stdout.length < OUTPUT_BYTES_MAX) stdout += b.toString('utf8'); });
    child.stderr.on('data', (b: Buffer) => { if (stderr.length < OUTPUT_BYTES_MAX) stderr += b.toString('utf8'); });
    child.on('error', (err) => reject(new Error(`${command} ${args.join(' ')}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}: ${stderr.trim().slice(0, 500)}`));
    });
    child.stdin.on('error', () => undefined); // a command that exits without reading its stdin
    child.stdin.end(input ?? '');
  });
}
