// The accounts side of the fake Spotify server: /authorize redirects straight back with a code
// (as if the participant clicked "Agree"), /api/token exchanges codes (PKCE S256 checked, client
// secret checked when configured) and refreshes tokens (rotating the refresh token), bearer check.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface AccountsOptions {
  clientId: string;
  clientSecret?: string;
  tokenTtlSec: number;
}

interface Grant {
  redirectUri: string;
  challenge: string;
  scope: string;
}

export class FakeAccounts {
  readonly codes = new Map<string, Grant>();
  readonly access = new Map<string, { expiresAt: number; scope: string }>();
  readonly refresh = new Map<string, string>();
  /** Every token string ever issued, so tests can scan logs and files for them. */
  readonly issued: string[] = [];

  constructor(private readonly opts: AccountsOptions) {}

  authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    if (q.get('client_id') !== this.opts.clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('INVALID_CLIENT or bad PKCE parameters');
      return;
    }
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { redirectUri: q.get('redirect_uri') ?? '', challenge: q.get('code_challenge')!, scope: q.get('scope') ?? '' });
    const target = new URL(q.get('redirect_uri') ?? '');
    target.searchParams.set('code', code);
    target.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { Location: target.href }).end();
  }

  token(req: IncomingMessage, form: URLSearchParams, res: ServerResponse): void {
    const fail = (status: number, error: string, description: string) => json(res, status, { error, error_description: description });
    if (!this.clientOk(req, form)) return fail(401, 'invalid_client', 'Invalid client');
    if (form.get('grant_type') === 'authorization_code') {
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!grant) return fail(400, 'invalid_grant', 'Invalid authorization code');
      if (grant.redirectUri !== form.get('redirect_uri')) return fail(400, 'invalid_grant', 'Invalid redirect URI');
      const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
      if (challenge !== grant.challenge) return fail(400, 'invalid_grant', 'code_verifier was incorrect');
      return json(res, 200, this.issue(grant.scope, true));
    }
    if (form.get('grant_type') === 'refresh_token') {
      const scope = this.refresh.get(form.get('refresh_token') ?? '');
      if (scope === undefined) return fail(400, 'invalid_grant', 'Refresh token revoked');
      this.refresh.delete(form.get('refresh_token')!);
      return json(res, 200, this.issue(scope, true));
    }
    return fail(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }

  private clientOk(req: IncomingMessage, form: URLSearchParams): boolean {
    if (!this.opts.clientSecret) return form.get('client_id') === this.opts.clientId;
    const basic = `Basic ${Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString('base64')}`;
    return req.headers.authorization === basic;
  }

  /** Issues a token pair directly (tests that need a bearer without a login). */
  issue(scope: string, withRefresh: boolean): Record<string, unknown> {
    const access = `fake-at-${randomBytes(18).toString('hex')}`;
    this.access.set(access, { expiresAt: Date.now() + this.opts.tokenTtlSec * 1000, scope });
    this.issued.push(access);
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', scope, expires_in: this.opts.tokenTtlSec };
    if (withRefresh) {
      const refresh = `fake-rt-${randomBytes(18).toString('hex')}`;
      this.refresh.set(refresh, scope);
      this.issued.push(refresh);
      body.refresh_token = refresh;
    }
    return body;
  }

  /** The bearer token of a request when it is known and not expired, else null. */
  bearer(req: IncomingMessage): string | null {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const t = m ? this.access.get(m[1]) : undefined;
    return t && t.expiresAt > Date.now() ? m![1] : null;
  }

  expireAccessTokens(): void {
    for (const t of this.access.values()) t.expiresAt = 0;
  }

  revokeRefreshTokens(): void {
    this.refresh.clear();
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}
