package i18n

// zohoMessages are the texts of the Zoho integration screens (guide sections 3 and 5).
var zohoMessages = map[string]map[Lang]string{}
