/**
 * One way to call any Kinesis operation from four real clients, so a test
 * can run the same steps through each: the JS SDK v3 over HTTP/2 (its
 * default) and over HTTP/1.1, the AWS CLI v2 and boto3. Inputs and
 * outputs are plain objects; `Data` members are Buffers on both sides
 * (base64 in the CLI's JSON, bytes in boto3). The CLI and boto3 get a model
 * with the operations they may lack (aws-model-patch.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as sdk from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsCliBotocoreDir, patchedModelDir, pythonBotocoreDir } from './aws-model-patch';

export type Output = Record<string, unknown>;
export type KinesisCall = (operation: string, input: Record<string, unknown>) => Promise<Output>;

/** A failed call: the Kinesis error type and message, whichever client made it. */
export class CallError extends Error {
  constructor(readonly type: string, message: string) { super(`${type}: ${message}`); }
}

export const CREDENTIALS = { accessKeyId: 'AKIDSHOALE2E', secretAccessKey: 'shoal-e2e-secret' };
export const REGION = 'us-east-1';
export const AWS_CLI = '/usr/bin/aws';
const PROCESS_TIMEOUT_MS = 60_000;

/** Data members as Buffers, recursively (Uint8Array from the SDK, base64 from the CLI and boto3). */
function buffersIn(value: unknown, base64: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => buffersIn(v, base64));
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value as Output).map(([k, v]) => [k, k === 'Data' && base64 && typeof v === 'string' ? Buffer.from(v, 'base64') : buffersIn(v, base64)]));
}

/** Data members as base64 strings, recursively (for JSON handed to the CLI and boto3). */
function base64In(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(base64In);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Output).map(([k, v]) => [k, base64In(v)]));
}

export interface SdkClients {
  readonly h2: sdk.KinesisClient;
  readonly h1: sdk.KinesisClient;
  destroy(): void;
}

/** Attempts per call, as the clients' defaults: they retry throttling (LimitExceededException: Rate exceeded), as users' clients do. */
const ATTEMPTS = 3;

export function sdkClients(endpoint: string): SdkClients {
  const h2 = new sdk.KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: ATTEMPTS });
  const h1 = new sdk.KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: ATTEMPTS, requestHandler: new NodeHttpHandler() });
  return { h2, h1, destroy: () => { h2.destroy(); h1.destroy(); } };
}

/** Calls through a JS SDK v3 client: `<Operation>Command`. */
export function sdkCall(client: sdk.KinesisClient): KinesisCall {
  const commands = sdk as unknown as Record<string, (new (input: unknown) => Parameters<sdk.KinesisClient['send']>[0]) | undefined>;
  return async (operation, input) => {
    const Command = commands[`${operation}Command`];
    if (!Command) throw new Error(`no ${operation}Command in the SDK`);
    try {
      const { $metadata: _m, ...out } = (await client.send(new Command(input))) as unknown as Output;
      return buffersIn(out, false) as Output;
    } catch (err) {
      const e = err as Error;
      throw new CallError(e.name, e.message);
    }
  };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { env, encoding: 'utf8', timeout: PROCESS_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function kebab(operation: string): string {
  return operation.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

/** A client of the AWS CLI or boto3: its calls, and close() to end its process and remove its model directory. */
export interface ProcessClient {
  readonly call: KinesisCall;
  close(): void;
}

/** Calls through the AWS CLI v2: `aws kinesis <operation> --cli-input-json ...`, errors parsed from its message. */
export function cliClient(endpoint: string): ProcessClient {
  const dataPath = patchedModelDir(awsCliBotocoreDir(AWS_CLI), mkdtempSync(join(tmpdir(), 'shoal-e2e-cli-model-')));
  const env = {
    ...process.env, AWS_DATA_PATH: dataPath, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: REGION, AWS_PAGER: '', AWS_MAX_ATTEMPTS: String(ATTEMPTS),
  };
  const call: KinesisCall = async (operation, input) => {
    const r = await run(AWS_CLI, ['--endpoint-url', endpoint, '--output', 'json', 'kinesis', kebab(operation), '--cli-input-json', JSON.stringify(base64In(input))], env);
    if (r.code !== 0) {
      const m = /An error occurred \((\w+)\)[^:]*: ([\s\S]*)$/.exec(r.stderr.trim());
      throw m ? new CallError(m[1]!, m[2]!.trim()) : new Error(`aws ${kebab(operation)} failed: ${r.stderr}`);
    }
    return buffersIn(r.stdout.trim() === '' ? {} : JSON.parse(r.stdout), true) as Output;
  };
  return { call, close: () => rmSync(dataPath, { recursive: true, force: true }) };
}

const BOTO3_SERVER = `
import base64, datetime, json, sys, boto3, botocore
endpoint, attempts = sys.argv[1], int(sys.argv[2])
def blobs(v, key=None):
    if isinstance(v, dict): return {k: blobs(x, k) for k, x in v.items()}
    if isinstance(v, list): return [blobs(x, key) for x in v]
    return base64.b64decode(v) if key == 'Data' and isinstance(v, str) else v
def out(v):
    if isinstance(v, dict): return {k: out(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list): return [out(x) for x in v]
    if isinstance(v, (bytes, bytearray)): return base64.b64encode(v).decode()
    if isinstance(v, datetime.datetime): return v.timestamp()
    return v
k = boto3.client('kinesis', endpoint_url=endpoint, region_name='${REGION}', aws_access_key_id='${CREDENTIALS.accessKeyId}',
                 aws_secret_access_key='${CREDENTIALS.secretAccessKey}', config=botocore.config.Config(retries={'total_max_attempts': attempts}))
for line in sys.stdin:
    op, body = json.loads(line)
    name = ''.join('_' + c.lower() if c.isupper() else c for c in op).lstrip('_')
    try:
        answer = {'ok': out(getattr(k, name)(**blobs(body)))}
    except botocore.exceptions.ClientError as e:
        answer = {'error': e.response['Error'].get('Code'), 'message': e.response['Error'].get('Message')}
    except Exception as e:
        answer = {'failed': repr(e)}
    print(json.dumps(answer), flush=True)
`;

/** A boto3 client in one long-lived `python` process (one request per line on stdin, one answer per line on stdout). */
export function boto3Client(python: string, endpoint: string): ProcessClient {
  const dataPath = patchedModelDir(pythonBotocoreDir(python), mkdtempSync(join(tmpdir(), 'shoal-e2e-boto3-model-')));
  const child = spawn(python, ['-c', BOTO3_SERVER, endpoint, String(ATTEMPTS)], { env: { ...process.env, AWS_DATA_PATH: dataPath }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  // One call at a time: the answers come back in order.
  let queue: Promise<unknown> = Promise.resolve();
  const call: KinesisCall = (operation, input) => {
    const result = queue.then(() => new Promise<string>((resolve) => {
      waiting.push(resolve);
      child.stdin.write(`${JSON.stringify([operation, base64In(input)])}\n`);
    })).then((line) => {
      const answer = JSON.parse(line) as { ok?: Output; error?: string; message?: string; failed?: string };
      if (answer.failed !== undefined) throw new Error(`boto3 ${operation} failed: ${answer.failed}`);
      if (answer.error !== undefined) throw new CallError(answer.error, answer.message ?? '');
      return buffersIn(answer.ok ?? {}, true) as Output;
    });
    queue = result.catch(() => undefined);
    return result;
  };
  return { call, close: () => { child.stdin.end(); child.kill(); rmSync(dataPath, { recursive: true, force: true }); } };
}
