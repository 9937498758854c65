/**
 * The api's TLS certificate: the operator's (--tls-cert / --tls-key, PEM
 * files), or a self-signed one kept in a directory (--tls-dir, DATA/tls in
 * scripts/cluster) and written there at first start:
 *
 *   <dir>/cert.pem   the certificate (clients trust it: NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE)
 *   <dir>/key.pem    its private key (mode 0600)
 *
 * The self-signed certificate is an end-entity certificate (not a CA:
 * rustls and Go refuse CA certificates as server certificates) for
 * serverAuth, ECDSA P-256 with SHA-256, valid SELF_SIGNED_VALIDITY_DAYS,
 * with subject alternative names localhost, 127.0.0.1, ::1 and every
 * --tls-host name. It is made again when the one on disk has expired,
 * expires within SELF_SIGNED_RENEW_BEFORE_DAYS, or lacks a name now asked
 * for. Files are written to a temporary name and renamed, so several api
 * processes sharing the directory never read half a file.
 *
 * Each generated certificate has a subject of its own (`shoal <random id>`):
 * a client trusting the certificates of several api processes (one CA list)
 * finds the one to check by subject, and OpenSSL stops at the first match,
 * so two certificates named alike would fail every connection to the second.
 */
import { X509Certificate, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { Logger } from '@shoal/wire';

/** How long a generated certificate is valid. */
export const SELF_SIGNED_VALIDITY_DAYS = 825;
/** A generated certificate this close to expiry is replaced at start. */
export const SELF_SIGNED_RENEW_BEFORE_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;
/** Names every generated certificate covers. */
export const DEFAULT_TLS_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export interface TlsCertificateOptions {
  /** Directory of the generated certificate (used when certFile/keyFile are not given). */
  readonly dir: string;
  /** Extra DNS names or IP addresses the generated certificate covers. */
  readonly hosts?: readonly string[];
  /** The operator's certificate and key (PEM), used as they are. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface TlsCertificate {
  readonly cert: string;
  readonly key: string;
  /** Where the certificate came from (for logs and docs): a path. */
  readonly certPath: string;
}

/** SAN entries of a certificate, as `DNS:name` / `IP:address` (IPv6 normalised by Node). */
function sanNames(cert: X509Certificate): Set<string> {
  const out = new Set<string>();
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    const [kind, value] = [part.slice(0, part.indexOf(':')), part.slice(part.indexOf(':') + 1)];
    if (kind === 'DNS') out.add(`DNS:${value.toLowerCase()}`);
    else if (kind === 'IP Address') out.add(`IP:${normaliseIp(value)}`);
  }
  return out;
}

function normaliseIp(address: string): string {
  if (isIP(address) !== 6) return address;
  // Node prints SAN IPv6 in full (0:0:...:1); compare in a canonical form.
  return new URL(`http://[${address}]/`).hostname.replace(/^\[|\]$/g, '');
}

function sanOf(host: string): string {
  return isIP(host) ? `IP:${normaliseIp(host)}` : `DNS:${host.toLowerCase()}`;
}

function usable(certPem: string, hosts: readonly string[], nowMs: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (Date.parse(cert.validTo) - nowMs < SELF_SIGNED_RENEW_BEFORE_DAYS * DAY_MS) return false;
    const names = sanNames(cert);
    return hosts.every((h) => names.has(sanOf(h)));
  } catch {
    return false;
  }
}

function writeAtomically(path: string, text: string, mode: number): void {
  const tmp = `${path}.${randomUUID()}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

/** The certificate to serve: the operator's, or the generated one in `dir` (made when missing or unusable). */
export async function ensureCertificate(options: TlsCertificateOptions, logger: Logger, nowMs = Date.now()): Promise<TlsCertificate> {
  if (options.certFile !== undefined || options.keyFile !== undefined) {
    if (options.certFile === undefined || options.keyFile === undefined) throw new Error('--tls-cert and --tls-key must be given together');
    return { cert: readFileSync(options.certFile, 'utf8'), key: readFileSync(options.keyFile, 'utf8'), certPath: options.certFile };
  }
  const hosts = [...new Set([...DEFAULT_TLS_HOSTS, ...(options.hosts ?? [])])];
  const certPath = join(options.dir, 'cert.pem');
  const keyPath = join(options.dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    if (usable(cert, hosts, nowMs)) return { cert, key: readFileSync(keyPath, 'utf8'), certPath };
    logger.info('replacing the self-signed certificate (expiring or missing a name)', { certPath, hosts });
  }
  const generated = await generate([{ name: 'commonName', value: `shoal ${randomUUID().slice(0, 8)}` }, { name: 'organizationName', value: 'shoal (self-signed)' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notBeforeDate: new Date(nowMs - DAY_MS), notAfterDate: new Date(nowMs + SELF_SIGNED_VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })) },
    ],
  });
  mkdirSync(options.dir, { recursive: true });
  writeAtomically(keyPath, generated.private, 0o600);
  writeAtomically(certPath, generated.cert, 0o644);
  logger.info('wrote a self-signed TLS certificate', { certPath, hosts });
  return { cert: generated.cert, key: generated.private, certPath };
}
