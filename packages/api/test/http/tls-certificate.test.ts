/** The api's self-signed certificate: names, reuse, replacement; and where the api listens. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { TempDirs } from '@shoal/testkit';
import { createLogger } from '@shoal/wire';
import { listenHosts } from '../../src/api-server';
import { SELF_SIGNED_VALIDITY_DAYS, ensureCertificate } from '../../src/http/tls-certificate';

const logger = createLogger('test', {}, 'error');

describe('TLS certificate and listen addresses', () => {
  const dirs = new TempDirs('shoal-tls-');
  after(() => dirs.removeAll());

  it('writes a self-signed end-entity certificate for localhost, 127.0.0.1, ::1 and --tls-host names', async () => {
    const dir = dirs.make();
    const made = await ensureCertificate({ dir, hosts: ['kinesis.internal', '10.1.2.3'] }, logger);
    assert.equal(made.certPath, join(dir, 'cert.pem'));
    const cert = new X509Certificate(readFileSync(made.certPath));
    assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:kinesis.internal, IP Address:10.1.2.3');
    assert.equal(cert.ca, false);
    assert.ok(cert.checkHost('localhost') && cert.checkIP('::1') && cert.checkIP('127.0.0.1'));
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > SELF_SIGNED_VALIDITY_DAYS - 2 && days <= SELF_SIGNED_VALIDITY_DAYS, String(days));
    assert.equal(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600);
  });

  it('keeps the certificate on disk while it covers the names, and replaces it when a name is added', async () => {
    const dir = dirs.make();
    const first = await ensureCertificate({ dir }, logger);
    assert.equal((await ensureCertificate({ dir }, logger)).cert, first.cert);
    const wider = await ensureCertificate({ dir, hosts: ['api.shoal.svc'] }, logger);
    assert.notEqual(wider.cert, first.cert);
    assert.ok(new X509Certificate(wider.cert).checkHost('api.shoal.svc'));
    // Close to expiry (now moved past validity - 30 days): made again.
    const later = Date.now() + (SELF_SIGNED_VALIDITY_DAYS - 10) * 86_400_000;
    assert.notEqual((await ensureCertificate({ dir, hosts: ['api.shoal.svc'] }, logger, later)).cert, wider.cert);
  });

  it("serves the operator's certificate as given, and wants both files", async () => {
    const dir = dirs.make();
    const made = await ensureCertificate({ dir }, logger);
    const given = await ensureCertificate({ dir: '/nonexistent', certFile: made.certPath, keyFile: join(dir, 'key.pem') }, logger);
    assert.equal(given.cert, made.cert);
    await assert.rejects(ensureCertificate({ dir, certFile: made.certPath }, logger), /together/);
  });

  it('makes certificates a client can trust side by side (one CA list reaches every api process)', async () => {
    const made = [await ensureCertificate({ dir: dirs.make() }, logger), await ensureCertificate({ dir: dirs.make() }, logger)];
    assert.notEqual(new X509Certificate(made[0]!.cert).subject, new X509Certificate(made[1]!.cert).subject);
    for (const served of made) {
      const server = createServer({ cert: served.cert, key: served.key }, (_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const status = await new Promise<number | undefined>((resolve, reject) => {
          request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: made.map((m) => m.cert), agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode);
          }).on('error', reject).end();
        });
        assert.equal(status, 200);
      } finally {
        server.close();
      }
    }
  });

  it('listens on IPv6 beside IPv4 where the host has it', () => {
    assert.deepEqual(listenHosts('127.0.0.1', true, true), ['127.0.0.1', '::1']);
    assert.deepEqual(listenHosts('0.0.0.0', true, true), ['::']);
    assert.deepEqual(listenHosts('0.0.0.0', true, false), ['0.0.0.0']);
    assert.deepEqual(listenHosts('127.0.0.1', false, true), ['127.0.0.1']);
    assert.deepEqual(listenHosts('10.0.0.7', true, true), ['10.0.0.7']);
  });
});
