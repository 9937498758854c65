/** scripts/cluster's --auth / --credentials / TLS flags and the api command line they give. */
import assert from 'node:assert/strict';
import { Flags } from '@shoal/wire';
import { clusterSpecs, configFromFlags, defaultConfig, tlsCertPath, tlsPortOf } from '../../src/cluster-config';

const base = defaultConfig('/tmp/shoal-data');
const config = (...argv: string[]) => configFromFlags(new Flags(argv, {}), base);
const apiArgs = (...argv: string[]) => clusterSpecs(config(...argv)).api.args;

describe('cluster config: authentication and TLS', () => {
  it('serves HTTPS on the api port + 1 by default, with the self-signed certificate in DATA/tls', () => {
    const c = config();
    assert.equal(tlsPortOf(c), 4568);
    assert.equal(tlsCertPath(c), '/tmp/shoal-data/tls/cert.pem');
    const args = apiArgs();
    assert.deepEqual(args.slice(args.indexOf('--auth')), ['--auth', 'none', '--tls-port', '4568', '--tls-dir', '/tmp/shoal-data/tls']);
    assert.equal(tlsPortOf(config('--port', '23567')), 23568);
  });

  it('passes --auth sigv4 with an absolute credentials path, and TLS options', () => {
    const args = apiArgs('--auth', 'sigv4', '--credentials', 'creds.ini', '--tls-port', '9443', '--tls-host', 'kinesis.local,10.0.0.5');
    assert.deepEqual(args.slice(args.indexOf('--auth')), [
      '--auth', 'sigv4', '--credentials', `${process.cwd()}/creds.ini`, '--tls-port', '9443', '--tls-dir', '/tmp/shoal-data/tls', '--tls-host', 'kinesis.local,10.0.0.5',
    ]);
    assert.ok(!apiArgs('--tls-port', 'off').includes('--tls-port'));
  });

  it('refuses --auth sigv4 without credentials, unknown modes, and half a certificate', () => {
    assert.throws(() => config('--auth', 'sigv4'), /needs --credentials/);
    assert.throws(() => config('--auth', 'basic'), /none or sigv4/);
    assert.throws(() => config('--tls-cert', 'c.pem'), /together/);
  });
});
