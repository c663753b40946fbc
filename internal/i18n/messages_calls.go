package i18n

// callsMessages are the texts of the call activity page and the telephony bridge.
var callsMessages = map[string]map[Lang]string{}
