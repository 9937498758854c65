/** The help texts of the `shoal` command (docs/shoal-cli.md says the same at length). */

const CONNECTION = `connection (every command):
  --endpoint URL     Kinesis endpoint (default: AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL, else http://127.0.0.1:4567)
  --region REGION    default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1
  --profile NAME     a profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else default)
  --json             one JSON object per line on stdout
  credentials: the AWS SDK's default chain (environment, shared files, SSO, process, container, instance);
  against a loopback endpoint without any, placeholder credentials are used`;

const COMMANDS: Readonly<Record<string, string>> = {
  streams: `shoal streams [--json]
  the streams of the account and region: name, status, mode, creation time`,
  describe: `shoal describe STREAM [--json]
  settings (status, mode, retention, encryption, open shards, tags), the shards with their lineage
  (parents, hash key ranges, sequence number ranges, open or closed) and the registered consumers`,
  put: `shoal put STREAM [--file PATH] [--partition-key KEY | --key-separator SEP] [--progress auto|bar|lines|off] [--json]
  one record per line of the file (or of stdin), the newline removed; empty lines are skipped
  --partition-key KEY    every record gets KEY
  --key-separator SEP    each line is KEY SEP DATA (SEP may be written \\t for a tab)
  (neither)              a random partition key per record, spreading records over every shard
  batches of up to 500 records and 5 MiB per PutRecords; failed records are retried.
  progress on stderr: a bar with the rate on a terminal, a line every 2 s otherwise
  --json prints one result per record: {"line","partitionKey","shardId","sequenceNumber"} (or "errorCode")`,
  tail: `shoal tail STREAM [--from POSITION] [--follow] [--limit N] [--consumer NAME] [--json]
  the records of every shard; after a reshard, parents are read to their end before their children,
  so the records of one partition key come in the order they were stored
  --from trim-horizon (default) | latest | 2026-12-03T10:00:00Z | @EPOCH_SECONDS | 10m | 2h | SEQUENCE_NUMBER
  --follow, -f     keep reading new records (otherwise stop once every shard is caught up)
  --limit N        stop after N records
  --consumer NAME  read through an enhanced fan-out consumer (registered if missing; SubscribeToShard)
  text: each record's data as a line; --json: {"shardId","sequenceNumber","partitionKey",
  "approximateArrivalTimestamp","data" (base64),"text" (when the data is UTF-8)}`,
};

export const USAGE = `usage: shoal <command> [options]
commands:
${Object.values(COMMANDS).map((text) => '  ' + text.split('\n')[0]).join('\n')}

${CONNECTION}

shoal <command> --help shows a command's options.`;

export function commandUsage(command: string): string {
  const text = COMMANDS[command];
  return text === undefined ? USAGE : `usage: ${text}\n\n${CONNECTION}`;
}
