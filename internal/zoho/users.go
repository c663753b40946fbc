package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// usersPerPage is the page size Users asks for (Zoho allows 1..1000).
const usersPerPage = 200

// maxUserPages stops Users if Zoho keeps answering full pages forever.
const maxUserPages = 500

// User is one Zoho user of the org as PhoneBridge lists it.
type User struct {
	// ZohoUser is Zoho's user id; opaque (Zoho may send it as a number).
	ZohoUser string
	// Email is the user's e-mail address.
	Email string
	// Name is Zoho's "username" field: the user's full name.
	Name string
}

// Integrate enables the provider integration for the org (POST
// /phonebridge/v3/integrate). Idempotent, so it is retried on 5xx and
// timeouts. Errors: PROVIDER_NOT_REGISTERED, NO_PERMISSION,
// DIFFERENT_PROVIDER_ALREADY_ENABLED (see IsCode).
func (p *PhoneBridge) Integrate(ctx context.Context) error {
	return p.do(ctx, call{op: "integrate", method: http.MethodPost, path: "integrate", idempotent: true}, nil)
}

// Disintegrate removes the provider integration for the org (DELETE
// /phonebridge/v3/integrate). Idempotent and retried like Integrate.
func (p *PhoneBridge) Disintegrate(ctx context.Context) error {
	return p.do(ctx, call{op: "disintegrate", method: http.MethodDelete, path: "integrate", idempotent: true}, nil)
}

// Users lists every Zoho user of the org, fetching pages of 200 until a
// short or empty page. Each page is retried on 5xx and timeouts.
func (p *PhoneBridge) Users(ctx context.Context) ([]User, error) {
	var all []User
	prevFirst := ""
	for page := 1; page <= maxUserPages; page++ {
		batch, err := p.usersPage(ctx, page, usersPerPage)
		if err != nil {
			return nil, err
		}
		if len(batch) > 0 && page > 1 && batch[0].ZohoUser == prevFirst {
			return nil, fmt.Errorf("zoho: users: page %d repeats page %d; paging ignored by server", page, page-1)
		}
		all = append(all, batch...)
		if len(batch) < usersPerPage {
			return all, nil
		}
		prevFirst = batch[0].ZohoUser
	}
	return nil, fmt.Errorf("zoho: users: more than %d pages", maxUserPages)
}

// usersPage fetches one page of users.
func (p *PhoneBridge) usersPage(ctx context.Context, page, perPage int) ([]User, error) {
	q := url.Values{"page": {strconv.Itoa(page)}, "perPage": {strconv.Itoa(perPage)}}
	var body struct {
		Users []struct {
			ZohoUser json.RawMessage `json:"zohouser"`
			Email    string          `json:"email"`
			Username string          `json:"username"`
		} `json:"users"`
	}
	if err := p.do(ctx, call{op: "users", method: http.MethodGet, path: "users", params: q, idempotent: true}, &body); err != nil {
		return nil, err
	}
	out := make([]User, 0, len(body.Users))
	for _, u := range body.Users {
		out = append(out, User{ZohoUser: opaqueID(u.ZohoUser), Email: u.Email, Name: u.Username})
	}
	return out, nil
}
