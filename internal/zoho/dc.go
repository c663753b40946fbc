package zoho

import "strings"

// DataCentre is one Zoho data centre: the location code Zoho reports on the
// OAuth redirect, the accounts server for token calls and the API domain for
// PhoneBridge calls.
type DataCentre struct {
	// Location is Zoho's code for the data centre, e.g. "us" or "eu".
	Location string
	// AccountsServer is the https origin of Zoho Accounts in this DC.
	AccountsServer string
	// APIDomain is the https origin Zoho reports as api_domain in this DC.
	APIDomain string
}

// dataCentres mirrors the data-centre table of the shared Zoho reference
// (§2.6). UK's API domain is unverified there; it is listed for
// completeness because Zoho returns api_domain explicitly anyway.
var dataCentres = [...]DataCentre{
	{Location: "us", AccountsServer: "https://accounts.zoho.com", APIDomain: "https://www.zohoapis.com"},
	{Location: "eu", AccountsServer: "https://accounts.zoho.eu", APIDomain: "https://www.zohoapis.eu"},
	{Location: "in", AccountsServer: "https://accounts.zoho.in", APIDomain: "https://www.zohoapis.in"},
	{Location: "au", AccountsServer: "https://accounts.zoho.com.au", APIDomain: "https://www.zohoapis.com.au"},
	{Location: "jp", AccountsServer: "https://accounts.zoho.jp", APIDomain: "https://www.zohoapis.jp"},
	{Location: "ca", AccountsServer: "https://accounts.zohocloud.ca", APIDomain: "https://www.zohoapis.ca"},
	{Location: "sa", AccountsServer: "https://accounts.zoho.sa", APIDomain: "https://www.zohoapis.sa"},
	{Location: "uk", AccountsServer: "https://accounts.zoho.uk", APIDomain: "https://www.zohoapis.uk"},
	{Location: "cn", AccountsServer: "https://accounts.zoho.com.cn", APIDomain: "https://www.zohoapis.com.cn"},
}

// DataCentres returns a copy of Zoho's data-centre table.
func DataCentres() []DataCentre {
	out := make([]DataCentre, len(dataCentres))
	copy(out[:], dataCentres[:])
	return out
}

// DataCentreByLocation returns the data centre for a location code such as
// "eu" (case-insensitive) and whether it is known.
func DataCentreByLocation(location string) (DataCentre, bool) {
	for _, dc := range dataCentres {
		if strings.EqualFold(dc.Location, location) {
			return dc, true
		}
	}
	return DataCentre{}, false
}

// DataCentreByAccountsServer returns the data centre whose accounts server is
// exactly origin (no trailing slash, lower case) and whether it is known.
func DataCentreByAccountsServer(origin string) (DataCentre, bool) {
	for _, dc := range dataCentres {
		if dc.AccountsServer == origin {
			return dc, true
		}
	}
	return DataCentre{}, false
}

// DataCentreByName returns the data centre a person names in
// configuration: its location code ("eu", "us") or the domain of its
// accounts server after "zoho."/"zohocloud." ("com", "eu", "com.au", "ca"),
// case-insensitively.
func DataCentreByName(name string) (DataCentre, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, dc := range dataCentres {
		host := strings.TrimPrefix(dc.AccountsServer, "https://accounts.")
		domain := host[strings.IndexByte(host, '.')+1:]
		if name == dc.Location || name == domain {
			return dc, true
		}
	}
	return DataCentre{}, false
}
