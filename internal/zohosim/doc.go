// Package zohosim is a local, in-memory simulator of Zoho Accounts (OAuth
// 2.0) and Zoho PhoneBridge v3, faithful to the shared reference
// /work/shared/docs/zoho-phonebridge.md. It owns the fake Zoho side only:
// the login and consent pages a person clicks through in dev mode, the
// token endpoints, the PhoneBridge API with its validation and error
// envelopes, and the Zoho → provider requests (click-to-dial and call
// control).
//
// Layout on one origin (set with SetBaseURL):
//
//	{base}/oauth/v2/...               accounts server of the home DC ("us")
//	{base}/{loc}/oauth/v2/...         accounts server of DC loc, e.g. /eu
//	{base}/api/{loc}/phonebridge/v3/  PhoneBridge; api_domain = {base}/api/{loc}
//	{base}/crm/                       a small CRM page for people (crm.go):
//	                                  contacts, click-to-dial, call bar, call log
//
// Modelled quirks: token errors as HTTP 200 + {"error"}; codes single-use,
// 2-minute life, bound to client and redirect_uri and to the user's DC;
// 1-hour access tokens; refresh tokens never rotate; 20 refresh tokens per
// user per client (the 21st evicts the oldest); at most 15 live access
// tokens per refresh token; 10 refreshes per 10 minutes per refresh token,
// then the "Access Denied … too many requests continuously" body; Bearer
// rejected with 401 INVALID_TOKEN; PBX_NOT_INTEGRATED until integrate;
// params accepted in body or query; {name,value} params in strict JSON or
// the loose JS-literal form; "+" sent unencoded shows up as a space and is
// rejected as an invalid number.
//
// Decisions where Zoho is silent: PBX_NOT_INTEGRATED is HTTP 400; invalid
// page/perPage and malformed values answer 400 INVALID_DATA with
// details.param; DELETE integrate also drops the org's click-to-dial and
// call-control registrations; the throttle answers HTTP 400 (configurable);
// a user who signs in at the wrong DC is redirected to their DC's
// /oauth/v2/auth. Zoho → provider requests are form-encoded POSTs; the
// authorizationparam pair is sent both as an HTTP header and as a form
// parameter, since Zoho does not say which (providers should accept either).
//
// The client may have a secret of its own per data centre
// (Options.ClientSecrets), as Zoho allows. Faults for tests: FailNext and
// SetFault answer PhoneBridge requests with errors or delays (a client that
// gives up cancels the request); SetLateAnswer carries a request out at
// once but holds its answer back, as a slow Zoho does.
package zohosim
