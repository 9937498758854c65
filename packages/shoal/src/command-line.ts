/**
 * The `shoal` command line parsed into one typed command. Pure: the
 * environment and the clock are passed in, nothing is read or printed here.
 * Unknown options, missing values and bad values throw UsageError (exit 2).
 */
import { parseArgs } from 'node:util';
import { limits } from '@shoal/core';
import { DEFAULT_ENDPOINT } from './cli-limits';
import { parseStartPosition, StartPositionError, type StartPosition } from './start-position';
import { USAGE, commandUsage } from './usage';

export class UsageError extends Error {}

/** Where and as whom to connect; region and profile left undefined fall back to the SDK's shared config, then us-east-1. */
export interface Connection {
  readonly endpoint: string;
  readonly region?: string;
  readonly profile?: string;
}

export interface Common {
  readonly connection: Connection;
  /** One JSON object per line on stdout instead of text. */
  readonly json: boolean;
}

/** How `put` picks each record's partition key. */
export type KeyChoice =
  | { readonly kind: 'fixed'; readonly key: string }
  | { readonly kind: 'per-line'; readonly separator: string }
  | { readonly kind: 'random' };

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off';
const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'lines', 'off'];

export type Command =
  | { readonly name: 'help'; readonly text: string }
  | { readonly name: 'streams'; readonly common: Common }
  | { readonly name: 'describe'; readonly common: Common; readonly stream: string }
  | {
    readonly name: 'put'; readonly common: Common; readonly stream: string; readonly file?: string;
    readonly key: KeyChoice; readonly progress: ProgressMode;
  }
  | {
    readonly name: 'tail'; readonly common: Common; readonly stream: string; readonly from: StartPosition;
    readonly follow: boolean; readonly limit?: number; readonly consumer?: string;
  };

type OptionSpec = { readonly type: 'string' | 'boolean'; readonly short?: string };

const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  endpoint: { type: 'string' }, region: { type: 'string' }, profile: { type: 'string' }, json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};
const COMMAND_OPTIONS: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>> = {
  streams: {},
  describe: {},
  put: { file: { type: 'string' }, 'partition-key': { type: 'string' }, 'key-separator': { type: 'string' }, progress: { type: 'string' } },
  tail: { from: { type: 'string' }, follow: { type: 'boolean', short: 'f' }, limit: { type: 'string' }, consumer: { type: 'string' } },
};

type Values = Record<string, string | boolean | undefined>;

/** The Kinesis endpoint: --endpoint, else AWS_ENDPOINT_URL_KINESIS, else AWS_ENDPOINT_URL, else the local cluster. */
export function resolveEndpoint(option: string | undefined, env: NodeJS.ProcessEnv): string {
  const text = option ?? env['AWS_ENDPOINT_URL_KINESIS'] ?? env['AWS_ENDPOINT_URL'] ?? DEFAULT_ENDPOINT;
  let url: URL;
  try { url = new URL(text); } catch { throw new UsageError(`endpoint ${text}: not a URL (e.g. http://127.0.0.1:4567)`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`endpoint ${text}: must be http:// or https://`);
  return text;
}

function connectionOf(values: Values, env: NodeJS.ProcessEnv): Connection {
  const region = str(values, 'region') ?? nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']);
  const profile = str(values, 'profile');
  return {
    endpoint: resolveEndpoint(str(values, 'endpoint'), env),
    ...(region !== undefined ? { region } : {}),
    ...(profile !== undefined ? { profile } : {}),
  };
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
const str = (values: Values, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

function streamArgument(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command}: expected one STREAM (a name or a stream ARN), got ${positionals.length}\n${commandUsage(command)}`);
  const stream = positionals[0]!;
  if (!stream.startsWith('arn:') && (stream.length > limits.STREAM_NAME_LENGTH_MAX || !limits.STREAM_NAME_PATTERN.test(stream))) {
    throw new UsageError(`${command}: ${stream} is not a stream name (1 to ${limits.STREAM_NAME_LENGTH_MAX} of a-z A-Z 0-9 _ . -) or a stream ARN`);
  }
  return stream;
}

/** `\t` written as two characters means a tab (shells make a literal tab awkward to type). */
function unescapeSeparator(text: string): string {
  const s = text === '\\t' ? '\t' : text;
  if (s.length === 0) throw new UsageError('--key-separator must not be empty');
  return s;
}

function keyChoice(values: Values): KeyChoice {
  const key = str(values, 'partition-key');
  const separator = str(values, 'key-separator');
  if (key !== undefined && separator !== undefined) throw new UsageError('put: give --partition-key or --key-separator, not both');
  if (key !== undefined) {
    if (key.length < limits.PARTITION_KEY_LENGTH_MIN || key.length > limits.PARTITION_KEY_LENGTH_MAX) {
      throw new UsageError(`--partition-key must have ${limits.PARTITION_KEY_LENGTH_MIN} to ${limits.PARTITION_KEY_LENGTH_MAX} characters`);
    }
    return { kind: 'fixed', key };
  }
  if (separator !== undefined) return { kind: 'per-line', separator: unescapeSeparator(separator) };
  return { kind: 'random' };
}

function progressMode(values: Values): ProgressMode {
  const v = str(values, 'progress') ?? 'auto';
  const mode = PROGRESS_MODES.find((m) => m === v);
  if (!mode) throw new UsageError(`--progress must be one of ${PROGRESS_MODES.join(', ')}`);
  return mode;
}

function positiveInt(values: Values, name: string): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${v}`);
  return n;
}

function parseOptions(command: string, args: readonly string[]): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...COMMAND_OPTIONS[command] }, strict: true, allowPositionals: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n${commandUsage(command)}`);
  }
}

/** Parses argv (without node and the script) into a command. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv, nowMs: number): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0];
    return { name: 'help', text: topic !== undefined && topic in COMMAND_OPTIONS ? commandUsage(topic) : USAGE };
  }
  if (!(command in COMMAND_OPTIONS)) throw new UsageError(`unknown command ${command}\n${USAGE}`);
  const { values, positionals } = parseOptions(command, rest);
  if (values['help'] === true) return { name: 'help', text: commandUsage(command) };
  const common: Common = { connection: connectionOf(values, env), json: values['json'] === true };
  switch (command) {
    case 'streams':
      if (positionals.length > 0) throw new UsageError(`streams takes no arguments\n${commandUsage(command)}`);
      return { name: 'streams', common };
    case 'describe':
      return { name: 'describe', common, stream: streamArgument(command, positionals) };
    case 'put': {
      const file = str(values, 'file');
      return { name: 'put', common, stream: streamArgument(command, positionals), ...(file !== undefined ? { file } : {}), key: keyChoice(values), progress: progressMode(values) };
    }
    default: {
      let from: StartPosition;
      try { from = parseStartPosition(str(values, 'from') ?? 'trim-horizon', nowMs); } catch (err) {
        if (err instanceof StartPositionError) throw new UsageError(err.message);
        throw err;
      }
      const limit = positiveInt(values, 'limit');
      const consumer = str(values, 'consumer');
      return {
        name: 'tail', common, stream: streamArgument(command, positionals), from, follow: values['follow'] === true,
        ...(limit !== undefined ? { limit } : {}), ...(consumer !== undefined ? { consumer } : {}),
      };
    }
  }
}
