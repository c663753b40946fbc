// Package site is what the gateway's two HTML sites share: the company
// administrators' portal (internal/portal) and the carrier's operator
// console (internal/operator). Each has its own routes and its own kind of
// session; both answer with the same security headers and Content Security
// Policy, read forms within the same limits, refuse the same bad input,
// save their sessions the same way, carry one flash message across a
// redirect, and render templ components through a buffer.
package site
