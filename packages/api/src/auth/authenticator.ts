/**
 * Who sent a request. The dispatcher asks its Authenticator once per
 * request, before the operation runs; a refusal is the Kinesis error AWS
 * answers (MissingAuthenticationTokenException, IncompleteSignatureException,
 * InvalidSignatureException, UnrecognizedClientException) and the operation
 * never runs.
 *
 * Two authenticators, chosen by --auth:
 *   - `credentialScopeAuthenticator` (--auth none, the local default): the
 *     request must carry a complete, well-formed SigV4 signature (any key,
 *     any secret: the signature itself is not checked); every request acts
 *     in the configured account, in the region of its credential scope.
 *   - `sigv4Authenticator` (--auth sigv4): the same checks, then the key
 *     must be in the credentials file and the signature must verify with its
 *     secret; the request acts in that key's account.
 */
import { KinesisError } from '@shoal/core';
import type { ApiRequest } from '../dispatcher';
import type { ApiConfig, Caller } from '../operation';
import { readSignature } from './sigv4-request';
import { verifySignature } from './sigv4-verifier';
import type { Identity } from './credentials-file';

export interface Authenticator {
  /** The caller of `req`; rejects (or throws) with a KinesisError when the request may not proceed. */
  authenticate(req: ApiRequest): Caller | Promise<Caller>;
}

/** Where the sigv4 authenticator finds identities (a CredentialsFile). */
export interface IdentitySource {
  lookup(accessKeyId: string): Identity | undefined;
}

/** Every request in `config.accountId`, in the region its (well-formed, unverified) signature names. */
export function credentialScopeAuthenticator(config: Pick<ApiConfig, 'accountId'>): Authenticator {
  return {
    authenticate(req) {
      const parts = readSignature(req);
      return { accountId: config.accountId, region: parts.region, accessKeyId: parts.accessKeyId };
    },
  };
}

/** Verified SigV4: the key's identity from `identities`, its account and principal ARN. */
export function sigv4Authenticator(identities: IdentitySource, now: () => number): Authenticator {
  return {
    async authenticate(req) {
      const parts = readSignature(req);
      const identity = identities.lookup(parts.accessKeyId);
      if (!identity) throw new KinesisError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      await verifySignature(req, parts, identity, now());
      return { accountId: identity.accountId, region: parts.region, accessKeyId: identity.accessKeyId, principalArn: identity.principalArn };
    },
  };
}
