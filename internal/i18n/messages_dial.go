package i18n

// dialMessages are the texts shown in Zoho's call bar with a
// clicktodialerror, keyed "dialerror." + the zoho.Dial… code. They are sent
// in the company's language (`gateway company set-language`, or the Zoho
// page's language setting), not the administrator's.
var dialMessages = map[string]map[Lang]string{
	"dialerror.busy":    {ES: "El número marcado está ocupado.", EN: "The number you dialled is busy."},
	"dialerror.invalid": {ES: "El número marcado no es válido.", EN: "The number you dialled is not valid."},
	"dialerror.invalid.number": {ES: "«%s» no es un número de teléfono válido: no se ha llamado.",
		EN: "“%s” is not a valid phone number: it was not dialled."},
	"dialerror.blocked":      {ES: "Su puesto Conecta no tiene permitido llamar a este número.", EN: "Your Conecta seat is not allowed to call this number."},
	"dialerror.notavailable": {ES: "Su puesto Conecta no está disponible en este momento.", EN: "Your Conecta seat is not available right now."},
	"dialerror.noanswer":     {ES: "Su puesto Conecta no descolgó la llamada.", EN: "Your Conecta seat did not pick up the call."},
	"dialerror.rejected":     {ES: "La centralita rechazó la llamada.", EN: "The Centrex rejected the call."},
}
