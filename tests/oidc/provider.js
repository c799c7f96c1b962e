// A real OpenID Connect provider on 127.0.0.1 for the sign-in tests (oidc-provider, certified by the
// OpenID Foundation). Its settings come from a JSON file named by OIDC_PROVIDER_CONFIG, or from the
// environment:
//
//   PORT                                   the port to listen on, on 127.0.0.1
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URI one client (added to the file's clients)
//   ACCOUNTS                               JSON list of {sub, email, email_verified, name, groups}
//
// The file holds {"port", "clients": [...], "accounts": [...]}; its accounts are read again at each
// sign-in, so a test changes a person's name or e-mail at the provider by rewriting the file. A client is
// {client_id, client_secret, redirect_uris} and may add, for the tests that the relying party must refuse:
//   id_token_ttl       seconds its ID tokens live (default 3600)
//   token_delay_ms     a slow network: its token responses leave this long after they are made
//   id_token_audience  its token responses carry an ID token signed for this other client, the way the
//                      OpenID Foundation's relying-party tests check the audience (rp-id_token-aud)
//
// Sign-in uses the library's development interactions: a form that takes an account's `sub` as the
// login (any password), then a consent page. It prints "listening <issuer>" once it serves.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { SignJWT, decodeJwt, importJWK } from 'jose';
import Provider from 'oidc-provider';

function settings() {
  const file = process.env.OIDC_PROVIDER_CONFIG;
  const config = file ? JSON.parse(readFileSync(file, 'utf8')) : {};
  config.clients ??= [];
  if (process.env.PORT !== undefined) config.port = Number(process.env.PORT);
  if (process.env.CLIENT_ID) {
    config.clients.push({
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
    });
  }
  if (!config.clients.length) throw new Error('no client: set CLIENT_ID, CLIENT_SECRET, REDIRECT_URI');
  return config;
}

const config = settings();
const port = config.port ?? 0;
const extras = new Map(config.clients.map((client) => [client.client_id, client]));

// Read at each sign-in, so a test can change a person at the provider between two sign-ins.
function findAccountData(sub) {
  const file = process.env.OIDC_PROVIDER_CONFIG;
  const listed = file ? JSON.parse(readFileSync(file, 'utf8')).accounts ?? [] : [];
  if (process.env.ACCOUNTS) listed.push(...JSON.parse(process.env.ACCOUNTS));
  return listed.find((account) => account.sub === sub);
}

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
signingKey.kid = randomBytes(8).toString('hex');
signingKey.alg = 'RS256';
signingKey.use = 'sig';

function createProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: config.clients.map(({ client_id, client_secret, redirect_uris }) => ({
      client_id, client_secret, redirect_uris, grant_types: ['authorization_code'], response_types: ['code'],
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // Put the scopes' claims in the ID token, as Okta, Entra ID and Google do, not only behind userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: { IdToken: (ctx, token, client) => extras.get(client.clientId)?.id_token_ttl ?? 3600 },
    async findAccount(ctx, id) {
      const account = findAccountData(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          const { sub, email, email_verified: verified, name, groups } = account;
          return { sub, email, email_verified: verified, name, groups };
        },
      };
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.method !== 'POST' || ctx.status !== 200 || !ctx.body?.id_token) return;
    const client = extras.get(ctx.oidc?.client?.clientId) ?? {};
    if (client.id_token_audience) {
      const claims = decodeJwt(ctx.body.id_token);
      const key = await importJWK(signingKey, 'RS256');
      ctx.body = {
        ...ctx.body,
        id_token: await new SignJWT({ ...claims, aud: client.id_token_audience, azp: client.id_token_audience })
          .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid })
          .sign(key),
      };
    }
    if (client.token_delay_ms) await new Promise((resolve) => { setTimeout(resolve, client.token_delay_ms); });
  });
  return provider;
}

if (!port) throw new Error('set PORT (or "port" in the file): the issuer names it');
const server = createProvider(`http://127.0.0.1:${port}`).listen(port, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${port}`));
server.on('error', (error) => { console.error(error.message); process.exit(1); });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
