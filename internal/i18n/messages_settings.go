package i18n

import "golang.org/x/text/message/catalog"

// settingsMessages are the texts of the company's settings: the time zone
// the portal shows times in, and the zones offered.
var settingsMessages = map[string]map[Lang]string{
	"zone.title":   {ES: "Zona horaria de la empresa", EN: "The company's time zone"},
	"zone.text":    {ES: "Las fechas y horas del portal (actividad de llamadas, registro de actividad, conexión con Zoho) se muestran en esta zona horaria.", EN: "The portal's dates and times (call activity, audit log, connection with Zoho) are shown in this time zone."},
	"zone.saved":   {ES: "Las horas se muestran ahora en %s.", EN: "Times are now shown in %s."},
	"zone.invalid": {ES: "Elija una de las zonas horarias de la lista.", EN: "Choose one of the time zones in the list."},

	"tz.Europe/Madrid":                  {ES: "España peninsular y Baleares", EN: "Spain, mainland and Balearic Islands"},
	"tz.Atlantic/Canary":                {ES: "Canarias", EN: "Canary Islands"},
	"tz.Africa/Ceuta":                   {ES: "Ceuta y Melilla", EN: "Ceuta and Melilla"},
	"tz.Europe/Lisbon":                  {ES: "Portugal", EN: "Portugal"},
	"tz.Europe/London":                  {ES: "Reino Unido e Irlanda", EN: "United Kingdom and Ireland"},
	"tz.Europe/Paris":                   {ES: "Francia, Bélgica, Países Bajos", EN: "France, Belgium, Netherlands"},
	"tz.Europe/Berlin":                  {ES: "Alemania, Suiza, Austria", EN: "Germany, Switzerland, Austria"},
	"tz.Europe/Rome":                    {ES: "Italia", EN: "Italy"},
	"tz.America/Mexico_City":            {ES: "México (centro)", EN: "Mexico (central)"},
	"tz.America/Bogota":                 {ES: "Colombia", EN: "Colombia"},
	"tz.America/Lima":                   {ES: "Perú", EN: "Peru"},
	"tz.America/Santiago":               {ES: "Chile", EN: "Chile"},
	"tz.America/Argentina/Buenos_Aires": {ES: "Argentina", EN: "Argentina"},
	"tz.America/New_York":               {ES: "Estados Unidos (este)", EN: "United States (east)"},
	"tz.UTC":                            {ES: "Tiempo universal (UTC)", EN: "Universal time (UTC)"},
}

// auditCounted are the audit log's texts that count something.
var auditCounted = map[string]map[Lang][]catalog.Message{
	"audit.showing": {
		ES: forms(3, "Mostrando %[1]d a %[2]d de %[3]d evento", "Mostrando %[1]d a %[2]d de %[3]d eventos"),
		EN: forms(3, "Showing %[1]d to %[2]d of %[3]d event", "Showing %[1]d to %[2]d of %[3]d events"),
	},
}
