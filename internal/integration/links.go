package integration

import (
	"context"

	"github.com/conecta-zoho/gateway/internal/store"
)

// StoreLinks is Links over the store's seat links.
type StoreLinks struct{ Store *store.Store }

// EnabledZohoUsers lists the Zoho users whose link is switched on.
func (l StoreLinks) EnabledZohoUsers(ctx context.Context, companyID int64) ([]string, error) {
	links, err := l.Store.Links(ctx, companyID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range links {
		if k.Enabled {
			out = append(out, k.ZohoUserID)
		}
	}
	return out, nil
}

// SetZohoUserEnabled switches the link of a Zoho user on or off.
func (l StoreLinks) SetZohoUserEnabled(ctx context.Context, companyID int64, zohoUser string, enabled bool) error {
	k, err := l.Store.LinkByZohoUser(ctx, companyID, zohoUser)
	if err != nil {
		return err
	}
	_, err = l.Store.SetLinkEnabled(ctx, companyID, k.ID, enabled)
	return err
}
