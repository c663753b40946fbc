// Package e2e holds the end-to-end tests: the whole gateway started in
// process on a real PostgreSQL, driven by a real headless Chromium (Debian's
// chromium package, through chromedp) the way an administrator uses it.
//
// The browser is found at $CHROMIUM, else /usr/bin/chromium; `make test`
// installs it when missing. Without it the tests fail, never skip.
package e2e
