/**
 * Lets an installed AWS CLI or boto3 whose Kinesis model predates some
 * operations call them: writes, under a temporary AWS_DATA_PATH (which
 * botocore reads before its own data), the installed model plus the
 * operations it lacks (TagResource, UntagResource, ListTagsForResource,
 * DescribeAccountSettings, UpdateAccountSettings,
 * UpdateStreamRecordDistributionStrategy, shapes written from the SDK
 * model), CreateStream's Tags, and PartitionKey made optional as in the
 * current model, and StreamARN beside StreamName in every operation that
 * names a stream (either one then, as in the current model). Operations the
 * installed model has are otherwise used as they are.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

type Json = Record<string, unknown>;

const STRING = { type: 'string' };
const ERRORS = ['ResourceNotFoundException', 'ResourceInUseException', 'InvalidArgumentException', 'LimitExceededException', 'AccessDeniedException']
  .map((shape) => ({ shape }));

const SHAPES: Json = {
  ShoalResourceARN: { ...STRING, min: 1, max: 2048 },
  ShoalTagKeyList: { type: 'list', member: { shape: 'TagKey' } },
  TagResourceInput: { type: 'structure', required: ['Tags', 'ResourceARN'], members: { Tags: { shape: 'TagMap' }, ResourceARN: { shape: 'ShoalResourceARN' } } },
  UntagResourceInput: { type: 'structure', required: ['TagKeys', 'ResourceARN'], members: { TagKeys: { shape: 'ShoalTagKeyList' }, ResourceARN: { shape: 'ShoalResourceARN' } } },
  ListTagsForResourceInput: { type: 'structure', required: ['ResourceARN'], members: { ResourceARN: { shape: 'ShoalResourceARN' } } },
  ListTagsForResourceOutput: { type: 'structure', members: { Tags: { shape: 'TagList' } } },
  ShoalCommitmentStatus: { ...STRING },
  ShoalTimestamp: { type: 'timestamp' },
  MinimumThroughputBillingCommitmentInput: { type: 'structure', required: ['Status'], members: { Status: { shape: 'ShoalCommitmentStatus' } } },
  MinimumThroughputBillingCommitmentOutput: {
    type: 'structure', required: ['Status'],
    members: {
      Status: { shape: 'ShoalCommitmentStatus' }, StartedAt: { shape: 'ShoalTimestamp' }, EndedAt: { shape: 'ShoalTimestamp' },
      EarliestAllowedEndAt: { shape: 'ShoalTimestamp' },
    },
  },
  DescribeAccountSettingsInput: { type: 'structure', members: {} },
  DescribeAccountSettingsOutput: { type: 'structure', members: { MinimumThroughputBillingCommitment: { shape: 'MinimumThroughputBillingCommitmentOutput' } } },
  UpdateAccountSettingsInput: {
    type: 'structure', required: ['MinimumThroughputBillingCommitment'],
    members: { MinimumThroughputBillingCommitment: { shape: 'MinimumThroughputBillingCommitmentInput' } },
  },
  UpdateAccountSettingsOutput: { type: 'structure', members: { MinimumThroughputBillingCommitment: { shape: 'MinimumThroughputBillingCommitmentOutput' } } },
  UpdateStreamRecordDistributionStrategyInput: {
    type: 'structure', required: ['StreamARN', 'RecordDistributionStrategy'],
    members: { StreamARN: { shape: 'StreamARN' }, RecordDistributionStrategy: { shape: 'ShoalCommitmentStatus' } },
  },
};

const OPERATIONS: Json = Object.fromEntries([
  ['TagResource', 'TagResourceInput', undefined],
  ['UntagResource', 'UntagResourceInput', undefined],
  ['ListTagsForResource', 'ListTagsForResourceInput', 'ListTagsForResourceOutput'],
  ['DescribeAccountSettings', 'DescribeAccountSettingsInput', 'DescribeAccountSettingsOutput'],
  ['UpdateAccountSettings', 'UpdateAccountSettingsInput', 'UpdateAccountSettingsOutput'],
  ['UpdateStreamRecordDistributionStrategy', 'UpdateStreamRecordDistributionStrategyInput', undefined],
].map(([name, input, output]) => [name, {
  name, http: { method: 'POST', requestUri: '/' }, input: { shape: input }, ...(output ? { output: { shape: output } } : {}), errors: ERRORS,
}]));

/** The installed model file (service-2.json or .json.gz) of botocore at `botocoreDir`. */
function readModel(botocoreDir: string): Json {
  const base = join(botocoreDir, 'data', 'kinesis', '2013-12-02', 'service-2.json');
  try {
    return JSON.parse(readFileSync(base, 'utf8')) as Json;
  } catch {
    return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) as Json;
  }
}

/** Writes the patched model under `dir` (an AWS_DATA_PATH) from the botocore at `botocoreDir`; returns `dir`. */
export function patchedModelDir(botocoreDir: string, dir: string): string {
  const model = readModel(botocoreDir);
  const operations = model['operations'] as Json;
  const shapes = model['shapes'] as Record<string, Json>;
  for (const [name, op] of Object.entries(OPERATIONS)) if (!(name in operations)) operations[name] = op;
  for (const [name, shape] of Object.entries(SHAPES)) if (!(name in shapes)) shapes[name] = shape as Json;
  // CreateStream took Tags later than some installed models know.
  const create = shapes['CreateStreamInput']!['members'] as Json;
  if (!('Tags' in create)) create['Tags'] = { shape: 'TagMap' };
  for (const name of ['PutRecordInput', 'PutRecordsRequestEntry']) {
    const shape = shapes[name]!;
    shape['required'] = (shape['required'] as string[]).filter((m) => m !== 'PartitionKey');
  }
  // Operations took StreamARN beside StreamName later (Debian bookworm's botocore 1.29.27 lacks it): either names the stream.
  for (const op of Object.values(operations) as Json[]) {
    const input = shapes[((op['input'] as Json | undefined)?.['shape'] as string | undefined) ?? ''];
    const members = input?.['members'] as Json | undefined;
    if (!input || !members || !('StreamName' in members) || 'StreamARN' in members) continue;
    members['StreamARN'] = { shape: 'StreamARN' };
    input['required'] = ((input['required'] as string[] | undefined) ?? []).filter((m) => m !== 'StreamName');
  }
  const out = join(dir, 'kinesis', '2013-12-02');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'service-2.json'), JSON.stringify(model));
  return dir;
}

/** The botocore directory of the AWS CLI v2 at `awsCli` (Debian's awscli bundles its own). */
export function awsCliBotocoreDir(awsCli: string): string {
  const python = readFileSync(awsCli, 'utf8').split('\n')[0]!.replace(/^#!\s*/, '').trim();
  return execFileSync(python, ['-c', 'import awscli.botocore as b, os; print(os.path.dirname(b.__file__))'], { encoding: 'utf8' }).trim();
}

/** The botocore directory `python` imports. */
export function pythonBotocoreDir(python: string): string {
  return execFileSync(python, ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
}
