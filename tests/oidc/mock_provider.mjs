#!/usr/bin/env node
// A mock OIDC provider for the integration tests, built on oauth2-mock-server (pinned in
// package-lock.json; scripts/setup.sh --test installs it). Test use only: it signs whatever it is
// asked to.
//
//   node tests/oidc/mock_provider.mjs [--port N] [--host 127.0.0.1] [--es256]
//
// Listens on host:port (port 0, the default: any free port) and, once listening, prints one line
// to stdout: its issuer URL, "http://<host>:<port>". Exits on SIGTERM or SIGINT, and when its
// stdin is a pipe that closes (the test that started it is gone).
//
// Keys: an RS256 key is made at start and is the current signing key; --es256 also publishes an
// ES256 key. Every key made stays published in the JWKS, as during a provider's key rollover.
//
// The library's endpoints: GET /.well-known/openid-configuration, GET /jwks, POST /token, ...
//   POST /token, grant_type=client_credentials (a form or a JSON body): an access token signed
//   with the current key. The library puts "aud" and "scope" in; every other field of the body
//   that is not an OAuth 2 parameter becomes a claim as it is (sub, name, email, groups, roles,
//   a nested realm_access in a JSON body, even iss to impersonate another issuer), except:
//     exp_in  seconds from now to "exp" (negative: already expired; default 3600)
//     nbf_in  seconds from now to "nbf" (default -10)
// Test control:
//   POST /test/rotate?alg=RS256|ES256   makes a new key of that algorithm the current one;
//                                       answers {"kid", "alg"}
//   POST /test/signing-key?alg=...      makes the newest key of that algorithm the current one
import fs from 'node:fs';
import process from 'node:process';
import oauth2MockServer from 'oauth2-mock-server';

const { OAuth2Server } = oauth2MockServer;

// Request fields that belong to OAuth 2 (or to this script), not to the token's claims.
const NOT_CLAIMS = new Set([
  'grant_type', 'scope', 'aud', 'client_id', 'client_secret', 'code', 'code_verifier',
  'redirect_uri', 'refresh_token', 'username', 'password', 'exp_in', 'nbf_in',
]);
const ALGORITHMS = new Set(['RS256', 'ES256']);

function parseArgs(argv) {
  const options = { port: 0, host: '127.0.0.1', es256: false };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--port') options.port = Number(argv[++i]);
    else if (argv[i] === '--host') options.host = argv[++i];
    else if (argv[i] === '--es256') options.es256 = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port needs a number from 0 to 65535');
  }
  return options;
}

// Keeps the current signing key's kid. The library picks a token's key from the kid it is given
// (TokenBuildOptions.kid) and otherwise rotates through all keys; its token endpoint passes none,
// so the issuer's buildToken is wrapped to pass the current one.
function useCurrentKey(issuer, current) {
  const buildToken = issuer.buildToken.bind(issuer);
  issuer.buildToken = (opts) => buildToken({ ...opts, kid: opts?.kid ?? current.kid });
}

// Copies the request's extra fields into the token (the library's beforeTokenSigning hook).
function copyRequestedClaims(token, req) {
  const body = req.body ?? {};
  const now = Math.floor(Date.now() / 1000);
  for (const [name, value] of Object.entries(body)) {
    if (!NOT_CLAIMS.has(name)) token.payload[name] = value;
  }
  if (body.exp_in !== undefined) token.payload.exp = now + Number(body.exp_in);
  if (body.nbf_in !== undefined) token.payload.nbf = now + Number(body.nbf_in);
}

function addTestRoutes(app, issuer, current) {
  const algOf = (req, res) => {
    const alg = req.query.alg ?? 'RS256';
    if (ALGORITHMS.has(alg)) return alg;
    res.status(400).json({ error: `alg must be RS256 or ES256, not ${alg}` });
    return undefined;
  };
  app.post('/test/rotate', (req, res) => {
    const alg = algOf(req, res);
    if (!alg) return;
    issuer.keys.generate(alg).then(
      (jwk) => {
        current.kid = jwk.kid;
        res.json({ kid: jwk.kid, alg });
      },
      (error) => res.status(500).json({ error: String(error) }));
  });
  app.post('/test/signing-key', (req, res) => {
    const alg = algOf(req, res);
    if (!alg) return;
    const newest = issuer.keys.toJSON().filter((key) => key.alg === alg).pop();
    if (!newest) return res.status(404).json({ error: `no ${alg} key` });
    current.kid = newest.kid;
    return res.json({ kid: newest.kid, alg });
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const server = new OAuth2Server();
  const current = { kid: (await server.issuer.keys.generate('RS256')).kid };
  if (options.es256) await server.issuer.keys.generate('ES256');
  useCurrentKey(server.issuer, current);
  server.service.on('beforeTokenSigning', copyRequestedClaims);
  addTestRoutes(server.service.requestHandler, server.issuer, current);

  await server.start(options.port, options.host);
  // The library names a loopback issuer "localhost"; the tests connect to the address itself.
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  server.issuer.url = `http://${host}:${server.address().port}`;
  process.stdout.write(`${server.issuer.url}\n`);

  // SIGTERM and SIGINT end node at once by default, which is all a mock needs.
  if (fs.fstatSync(0).isFIFO()) {
    process.stdin.on('close', () => process.exit(0));
    process.stdin.resume();
  }
}

main().catch((error) => {
  process.stderr.write(`mock_provider: ${error.stack ?? error}\n`);
  process.exit(1);
});
