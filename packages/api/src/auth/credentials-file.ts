/**
 * The identities the api accepts with --auth sigv4: a file in the AWS
 * shared-credentials format, one profile per identity.
 *
 *   [alice]                       # profile name = the IAM user name in principal ARNs
 *   aws_access_key_id = AKIA...
 *   aws_secret_access_key = ...
 *   aws_account_id = 111122223333 # optional; 000000000000 when absent
 *
 * `[profile name]` headers (the config-file spelling) are read as `[name]`;
 * `#` and `;` start comments; other keys (region, output, ...) are ignored.
 * The file is read at start (an unreadable or invalid file stops the api)
 * and again whenever it changes (CREDENTIALS_POLL_MS); an invalid new
 * version is logged and the previous identities stay in force.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { DEFAULT_ACCOUNT_ID } from '@shoal/metadata';
import type { Logger } from '@shoal/wire';

/** How often the credentials file is checked for changes (stat polling: also sees Kubernetes secret updates, which swap a symlink). */
export const CREDENTIALS_POLL_MS = 1_000;
/** Identities in one credentials file. */
export const CREDENTIALS_PROFILES_MAX = 10_000;
const ACCOUNT_ID = /^\d{12}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_+=,.@-]{3,128}$/;

/** One identity: its key pair, account and principal ARN. */
export interface Identity {
  readonly profile: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  /** arn:aws:iam::<account>:user/<profile>, the principal resource policies name. */
  readonly principalArn: string;
}

/** Parses a credentials file's text; throws Error naming the line or profile that is wrong. */
export function parseCredentials(text: string): Map<string, Identity> {
  const profiles = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.replace(/\s[#;].*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[\s*(?:profile\s+)?([^\]\s]+)\s*\]$/.exec(line);
    if (section) {
      if (profiles.has(section[1]!)) throw new Error(`line ${i + 1}: profile [${section[1]}] appears twice`);
      current = {};
      profiles.set(section[1]!, current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) throw new Error(`line ${i + 1}: expected [profile] or key = value`);
    current[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  });
  if (profiles.size > CREDENTIALS_PROFILES_MAX) throw new Error(`more than ${CREDENTIALS_PROFILES_MAX} profiles`);
  const byKey = new Map<string, Identity>();
  for (const [profile, values] of profiles) {
    const accessKeyId = values['aws_access_key_id'];
    const secretAccessKey = values['aws_secret_access_key'];
    const accountId = values['aws_account_id'] ?? DEFAULT_ACCOUNT_ID;
    if (!accessKeyId || !ACCESS_KEY_ID.test(accessKeyId)) throw new Error(`profile [${profile}]: aws_access_key_id missing or malformed`);
    if (!secretAccessKey) throw new Error(`profile [${profile}]: aws_secret_access_key missing`);
    if (!ACCOUNT_ID.test(accountId)) throw new Error(`profile [${profile}]: aws_account_id must be 12 digits`);
    if (byKey.has(accessKeyId)) throw new Error(`profile [${profile}]: access key ${accessKeyId} is also used by [${byKey.get(accessKeyId)!.profile}]`);
    byKey.set(accessKeyId, { profile, accessKeyId, secretAccessKey, accountId, principalArn: `arn:aws:iam::${accountId}:user/${profile}` });
  }
  return byKey;
}

/** The identities of a credentials file, kept current while the file changes. */
export class CredentialsFile {
  private identities: Map<string, Identity>;
  private readonly onChange = (cur: Stats, prev: Stats): void => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    this.reload();
  };

  constructor(private readonly path: string, private readonly logger: Logger) {
    this.identities = parseCredentials(readFileSync(path, 'utf8'));
    logger.info('credentials loaded', { path, identities: this.identities.size });
  }

  /** Starts following changes to the file. */
  watch(): void {
    watchFile(this.path, { interval: CREDENTIALS_POLL_MS, persistent: false }, this.onChange);
  }

  close(): void {
    unwatchFile(this.path, this.onChange);
  }

  /** The identity of an access key id, if the file has it. */
  lookup(accessKeyId: string): Identity | undefined {
    return this.identities.get(accessKeyId);
  }

  /** Reads the file again; keeps the current identities if it cannot be read or is invalid. */
  reload(): void {
    try {
      this.identities = parseCredentials(readFileSync(this.path, 'utf8'));
      this.logger.info('credentials reloaded', { path: this.path, identities: this.identities.size });
    } catch (err) {
      this.logger.error('credentials file not reloaded; the previous identities stay in force', { path: this.path, err });
    }
  }
}
