/**
 * The shoal admin CLI: `main.js cluster <up|down|status|run|move-leader|drain|undrain> [flags]`.
 * A command-line tool, so it prints to stdout (results) and stderr (errors).
 */
import { Flags } from '@shoal/wire';
import { drain, moveLeader, undrain } from './commands/admin';
import { down } from './commands/down';
import { run } from './commands/run';
import { status } from './commands/status';
import { up } from './commands/up';

const USAGE = `usage: scripts/cluster <command> [flags]
  up           [--data DIR] [--nodes-per-az N] [--port 4567] [--etcd-port 2379] [--port-base 4600] [--limits off]
               [--lease-ttl-sec 5] [--rereplication-grace-sec 30] [--rebalance on|off] [--fsync on|off]
  status       [--data DIR] [--json]
  down         [--data DIR]
  run          same flags as up; stays in the foreground, Ctrl-C stops the cluster
  move-leader  --stream S --shard SHARD --to NODE [--data DIR] [--wait-sec 120]
  drain        --node NODE [--data DIR] [--wait-sec 120]
  undrain      --node NODE [--data DIR]`;

const out = (line: string): void => { process.stdout.write(line + '\n'); };

async function main(argv: readonly string[]): Promise<number> {
  const args = argv[0] === 'cluster' ? argv.slice(1) : argv;
  const command = args[0];
  // `up --help` must print the usage, not start a cluster.
  if (args.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const flags = new Flags(args.slice(1));
  switch (command) {
    case 'up': await up(flags, out); return 0;
    case 'down': await down(flags, out); return 0;
    case 'status': await status(flags, out); return 0;
    case 'run': await run(flags, out); return 0;
    case 'move-leader': await moveLeader(flags, out); return 0;
    case 'drain': await drain(flags, out); return 0;
    case 'undrain': await undrain(flags, out); return 0;
    default:
      process.stderr.write(USAGE + '\n');
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
