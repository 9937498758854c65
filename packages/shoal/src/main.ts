/**
 * The `shoal` command for users of streams: `shoal <streams|describe|put|tail> ...`
 * (usage.ts). Exit status: 0 done, 1 failed (the error on stderr), 2 bad usage.
 * A command-line tool, so it prints: results to stdout, progress and errors to stderr.
 */
import { errorLine, errorName, unreachableCode } from './aws-errors';
import { parseCommandLine, UsageError, type Command } from './command-line';
import { describe } from './commands/describe';
import { put } from './commands/put';
import { streams } from './commands/streams';
import { tail } from './commands/tail';
import { createKinesisClient, type ShoalClient } from './kinesis-client';
import { Output, ReaderGoneError } from './output';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** Errors of a server that checks signatures. */
const AUTH_ERRORS: ReadonlySet<string> = new Set([
  'UnrecognizedClientException', 'InvalidSignatureException', 'MissingAuthenticationTokenException', 'IncompleteSignatureException', 'AccessDeniedException',
]);

/** The line for a failed command: the Kinesis error, or what to check when the endpoint is unreachable or refuses placeholder keys. */
function failureLine(err: unknown, endpoint: string, client: ShoalClient | undefined): string {
  const unreachable = unreachableCode(err);
  if (unreachable !== undefined) return `cannot reach ${endpoint} (${unreachable}); is the cluster up (scripts/cluster up), or is --endpoint right?`;
  const hint = AUTH_ERRORS.has(errorName(err)) && client?.placeholderCredentials() === true
    ? ' (no AWS credentials were found, so placeholder keys were used: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --profile)' : '';
  return errorLine(err) + hint;
}

async function execute(command: Exclude<Command, { name: 'help' }>, client: ShoalClient): Promise<number> {
  const out = new Output(process.stdout);
  switch (command.name) {
    case 'streams': return streams(command, client.kinesis, out, process.stderr);
    case 'describe': return describe(command, client.kinesis, out);
    case 'put': return put(command, client.kinesis, out, process.stderr);
    case 'tail': return tail(command, client.kinesis, out);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv, process.env, Date.now());
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`shoal: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (command.name === 'help') {
    process.stdout.write(command.text + '\n');
    return 0;
  }
  let client: ShoalClient | undefined;
  try {
    client = await createKinesisClient(command.common.connection);
    return await execute(command, client);
  } catch (err) {
    if (err instanceof ReaderGoneError) return 0; // `shoal tail ... | head`
    process.stderr.write(`shoal: ${failureLine(err, command.common.connection.endpoint, client)}\n`);
    return EXIT_FAILED;
  } finally {
    client?.kinesis.destroy();
  }
}

// The SDK's notice that its 2027 releases need Node 22 is for shoal's developers, not for people running the command.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
/** Resolves once everything written to the stream so far has left the process (a pipe's writes are asynchronous). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * process.exit, not exitCode: an input still open (put from a terminal) or a
 * connection must not hold the command once it is done; but only after
 * stdout and stderr are flushed, or a pipe loses the last lines.
 */
async function exit(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

void main(process.argv.slice(2)).then(exit, async (err: unknown) => {
  process.stderr.write(`shoal: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  await exit(EXIT_FAILED);
});
