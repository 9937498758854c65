/**
 * Who sent a request. The dispatcher asks its Authenticator once per
 * request, before the operation runs; a refusal is the Kinesis error AWS
 * answers (MissingAuthenticationTokenException, InvalidSignatureException,
 * ...) and the operation never runs.
 *
 * `credentialScopeAuthenticator` is the local default: it trusts the
 * request, takes the region from the SigV4 credential scope (Authorization
 * header or X-Amz-Credential query parameter) and puts every request in the
 * configured account.
 */
import type { ApiRequest } from '../dispatcher';
import type { ApiConfig, Caller } from '../operation';

export interface Authenticator {
  /** The caller of `req`; throws a KinesisError when the request may not proceed. */
  authenticate(req: ApiRequest): Caller;
}

/** `Credential=<key>/<date>/<region>/<service>/aws4_request` in an Authorization header or query string. */
const CREDENTIAL_SCOPE = /Credential=([^/,\s&]+)\/\d{8}\/([^/,\s&]+)\//;

/** The access key id and region a request's SigV4 credential names, if it names one. */
export function credentialScopeOf(req: ApiRequest): { accessKeyId: string; region: string } | undefined {
  const auth = req.headers['authorization'];
  const header = Array.isArray(auth) ? auth[0] : auth;
  let m = header !== undefined ? CREDENTIAL_SCOPE.exec(header) : null;
  if (!m && req.url !== undefined) {
    const query = req.url.indexOf('?');
    if (query >= 0) {
      const credential = new URLSearchParams(req.url.slice(query + 1)).get('X-Amz-Credential');
      if (credential !== null) m = CREDENTIAL_SCOPE.exec(`Credential=${credential}`);
    }
  }
  return m ? { accessKeyId: m[1]!, region: m[2]! } : undefined;
}

/** Every request in `config.accountId`, in the region its credential scope names (config.region when none). */
export function credentialScopeAuthenticator(config: Pick<ApiConfig, 'accountId' | 'region'>): Authenticator {
  return {
    authenticate(req) {
      const scope = credentialScopeOf(req);
      return scope
        ? { accountId: config.accountId, region: scope.region, accessKeyId: scope.accessKeyId }
        : { accountId: config.accountId, region: config.region };
    },
  };
}
