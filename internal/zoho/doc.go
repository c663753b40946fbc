// Package zoho is the gateway's client for Zoho Accounts (OAuth 2.0) and the
// Zoho PhoneBridge v3 API. It owns everything that crosses the wire to Zoho:
// the data-centre table, the authorisation URL, validation of the
// accounts-server value a browser brings back, token exchange / refresh /
// revoke, the "who consented" lookup, and typed PhoneBridge calls with Zoho's
// error envelope decoded into *Error.
//
// It holds no state about organisations or tokens: callers persist tokens and
// hand them back through a TokenSource.
//
// Decisions on points the Zoho documentation leaves open
// (see /work/shared/docs/zoho-phonebridge.md §8):
//
//   - Who consented: we add the scope AaaServer.profile.Read and call
//     GET {accounts-server}/oauth/user/info with the fresh access token
//     (Zoho answers {"Email","ZUID","Display_Name",...}). This is the lookup
//     Zoho documents in "Using the access token" and that common Zoho OAuth
//     integrations (next-auth, omniauth-zoho) rely on. The OpenID Connect
//     alternative (scope "openid email", id_token) would require fetching
//     Zoho's JWKS per data centre and verifying RS256 signatures to be
//     trustworthy; the user-info call needs no extra crypto and is served by
//     the same accounts server we already validated.
//   - PKCE is not sent. Zoho documents code_challenge only for mobile and
//     desktop (public) clients; PhoneBridge providers are server-based
//     clients with a secret, and Zoho does not say such clients accept the
//     parameters. Sending undocumented parameters to the real service is a
//     risk without benefit: state (CSRF) plus the client secret protect the
//     code exchange.
//   - The client always sends "Authorization: Zoho-oauthtoken <token>",
//     never Bearer (live tests report Bearer → 401).
//   - {name,value} parameters (authorizationparam, clicktodialparam,
//     callcontrolparam) are sent as strict JSON; Zoho accepts that as well as
//     the loose JS-literal form its docs show.
//   - Token endpoint errors arrive as HTTP 200 with an "error" key (and the
//     throttle as 200 or 400); all become *TokenError values that match
//     ErrInvalidCode, ErrInvalidClient, ErrInvalidGrant or ErrThrottled
//     with errors.Is. Zoho answers "invalid_code" for a dead refresh token,
//     so Refresh maps invalid_code to ErrInvalidGrant.
//   - Error strings never contain tokens, secrets or response bodies.
package zoho
