package i18n

// seatsMessages are the texts of the Conecta–Zoho users table (guide section 4).
var seatsMessages = map[string]map[Lang]string{}
