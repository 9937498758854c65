import { strict as assert } from 'node:assert';
import { parseCommandLine, resolveEndpoint, UsageError, type Command } from '../src/command-line';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}): Command => parseCommandLine(argv, env, NOW);
const usage = (argv: string[], pattern: RegExp): void => assert.throws(() => parse(argv), (err: unknown) => err instanceof UsageError && pattern.test(err.message));

describe('command line', () => {
  it('gives help for no command, help, --help and COMMAND --help', () => {
    assert.equal(parse([]).name, 'help');
    assert.equal(parse(['--help']).name, 'help');
    const tailHelp = parse(['tail', '--help']);
    assert.ok(tailHelp.name === 'help' && tailHelp.text.startsWith('usage: shoal tail'));
    const putHelp = parse(['help', 'put']);
    assert.ok(putHelp.name === 'help' && putHelp.text.startsWith('usage: shoal put'));
  });

  it('parses streams and describe with connection options', () => {
    assert.deepEqual(parse(['streams']), { name: 'streams', common: { connection: { endpoint: 'http://127.0.0.1:4567' }, json: false } });
    assert.deepEqual(parse(['describe', 'orders', '--json', '--endpoint', 'https://kinesis.eu-west-1.amazonaws.com', '--region', 'eu-west-1', '--profile', 'prod']), {
      name: 'describe', stream: 'orders',
      common: { connection: { endpoint: 'https://kinesis.eu-west-1.amazonaws.com', region: 'eu-west-1', profile: 'prod' }, json: true },
    });
  });

  it('takes a stream ARN where a stream name goes', () => {
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
    const c = parse(['describe', arn]);
    assert.ok(c.name === 'describe' && c.stream === arn);
  });

  it('refuses unknown commands and options, missing and extra arguments, bad stream names', () => {
    usage(['stream'], /unknown command stream/);
    usage(['tail', 'orders', '--form', 'latest'], /Unknown option '--form'/);
    usage(['describe'], /expected one STREAM.*got 0/);
    usage(['describe', 'a', 'b'], /expected one STREAM.*got 2/);
    usage(['streams', 'extra'], /takes no arguments/);
    usage(['put', 'bad/name'], /not a stream name/);
    usage(['put', 'x'.repeat(129)], /not a stream name/);
    usage(['describe', 'orders', '--endpoint', 'localhost:4567'], /must be http/);
    usage(['describe', 'orders', '--endpoint', 'not a url'], /not a URL/);
  });

  it('resolves the endpoint: --endpoint, AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, then the local cluster', () => {
    const env = { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_KINESIS: 'http://k:2' };
    assert.equal(resolveEndpoint('http://o:3', env), 'http://o:3');
    assert.equal(resolveEndpoint(undefined, env), 'http://k:2');
    assert.equal(resolveEndpoint(undefined, { AWS_ENDPOINT_URL: 'http://a:1' }), 'http://a:1');
    assert.equal(resolveEndpoint(undefined, {}), 'http://127.0.0.1:4567');
  });

  it('takes the region from --region, AWS_REGION, AWS_DEFAULT_REGION, else leaves it to the profile', () => {
    const region = (argv: string[], env: NodeJS.ProcessEnv): string | undefined => {
      const c = parse(['streams', ...argv], env);
      return c.name === 'streams' ? c.common.connection.region : 'not streams';
    };
    assert.equal(region(['--region', 'ap-south-1'], { AWS_REGION: 'eu-west-1' }), 'ap-south-1');
    assert.equal(region([], { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }), 'eu-west-1');
    assert.equal(region([], { AWS_DEFAULT_REGION: 'us-west-2' }), 'us-west-2');
    assert.equal(region([], { AWS_REGION: '' }), undefined);
  });

  it('parses put: file, key choice, progress', () => {
    const c = parse(['put', 'orders', '--file', 'lines.txt', '--partition-key', 'k1', '--progress', 'lines']);
    assert.ok(c.name === 'put');
    assert.equal(c.file, 'lines.txt');
    assert.deepEqual(c.key, { kind: 'fixed', key: 'k1' });
    assert.equal(c.progress, 'lines');
    const d = parse(['put', 'orders', '--key-separator', '\\t']);
    assert.ok(d.name === 'put' && d.file === undefined && d.progress === 'auto');
    assert.deepEqual(d.key, { kind: 'per-line', separator: '\t' });
    const e = parse(['put', 'orders', '--key-separator=,']);
    assert.ok(e.name === 'put');
    assert.deepEqual(e.key, { kind: 'per-line', separator: ',' });
    const r = parse(['put', 'orders']);
    assert.ok(r.name === 'put');
    assert.deepEqual(r.key, { kind: 'random' });
  });

  it('refuses conflicting or invalid put options', () => {
    usage(['put', 'orders', '--partition-key', 'a', '--key-separator', ','], /not both/);
    usage(['put', 'orders', '--partition-key', 'k'.repeat(257)], /1 to 256 characters/);
    usage(['put', 'orders', '--key-separator='], /must not be empty/);
    usage(['put', 'orders', '--progress', 'fancy'], /--progress must be one of/);
  });

  it('parses tail: from, follow (-f), limit, consumer', () => {
    const c = parse(['tail', 'orders', '-f', '--from', 'latest', '--limit', '100', '--consumer', 'me', '--json']);
    assert.deepEqual(c, {
      name: 'tail', stream: 'orders', from: { type: 'LATEST' }, follow: true, limit: 100, consumer: 'me',
      common: { connection: { endpoint: 'http://127.0.0.1:4567' }, json: true },
    });
    const d = parse(['tail', 'orders']);
    assert.ok(d.name === 'tail' && d.from.type === 'TRIM_HORIZON' && !d.follow && d.limit === undefined && d.consumer === undefined);
  });

  it('refuses a bad --limit or --from', () => {
    usage(['tail', 'orders', '--limit', '0'], /positive integer/);
    usage(['tail', 'orders', '--limit', '1.5'], /positive integer/);
    usage(['tail', 'orders', '--limit', '-3'], /ambiguous|positive integer/);
    usage(['tail', 'orders', '--from', 'yesterday'], /--from yesterday: expected/);
  });
});
